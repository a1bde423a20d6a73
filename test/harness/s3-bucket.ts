// Tests' S3: a fresh bucket on the harness's s3rver (or through a proxy in front of it).
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { s3ClientConfig, s3ObjectStore } from '../../edges/object-store/s3-store.js';

export function s3Env(endpoint: string): NodeJS.ProcessEnv {
  return { AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'us-east-1' };
}

/** A new bucket, so tests do not see each other's objects. */
export async function testBucket(endpoint = inject('s3').endpoint): Promise<ReturnType<typeof s3ObjectStore>> {
  const bucket = `rp9-test-${randomBytes(4).toString('hex')}`;
  const store = s3ObjectStore({ bucket, client: { ...s3ClientConfig(s3Env(endpoint)), credentials: { accessKeyId: inject('s3').accessKeyId, secretAccessKey: inject('s3').secretAccessKey } }, partSize: 5 * 1024 * 1024 });
  await store.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return store;
}

