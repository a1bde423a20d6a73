// Backup objects in an S3 bucket through the official SDK. Uploads stream in
// multipart parts (lib-storage Upload): memory is about partSize × queueSize
// whatever the object's size, and an upload that fails is aborted, so no
// partial object appears under its key.
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { checkKey, ObjectStoreError, type ObjectStore } from './types.js';

export interface S3StoreOptions {
  bucket: string;
  /** Overrides the SDK's defaults (endpoint, region, credentials come from the AWS environment otherwise). */
  client?: S3ClientConfig;
  /** Multipart part size in bytes (default 8 MiB, the S3 minimum is 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once (default 2). */
  queueSize?: number;
}

/** The client settings rp9 needs with any endpoint: path-style addressing, and checksums only where the API requires them (s3rver and other S3-compatibles store aws-chunked bodies otherwise). */
export function s3ClientConfig(env: NodeJS.ProcessEnv, overrides: S3ClientConfig = {}): S3ClientConfig {
  const endpoint = env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim();
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  // Static keys from the given environment; otherwise the SDK's provider chain (profiles, instance roles) on process.env.
  const credentials = accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } } : {};
  return {
    ...credentials,
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    ...overrides,
  };
}

export function s3ObjectStore(options: S3StoreOptions): ObjectStore & { client: S3Client } {
  const client = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', ...options.client });
  const bucket = options.bucket;
  const where = (key: string) => `s3://${bucket}/${key}`;
  const unreachable = (key: string, error: unknown) =>
    new ObjectStoreError('objects.unreachable', `${where(key)}: ${(error as Error)?.message || (error as { name?: string })?.name || String(error)}`, { cause: error });
  return {
    client,
    description: `s3://${bucket}`,
    async put(key, body: Readable, putOptions = {}) {
      checkKey(key);
      let bytes = 0;
      body.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: putOptions.contentType ?? 'application/octet-stream' },
        partSize: options.partSize ?? 8 * 1024 * 1024,
        queueSize: options.queueSize ?? 2,
        leavePartsOnError: false,
      });
      const onAbort = () => void upload.abort().catch(() => undefined);
      putOptions.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await upload.done();
      } catch (error) {
        body.destroy();
        throw new ObjectStoreError('objects.write-failed', `upload of ${where(key)} failed: ${(error as Error)?.message || String(error)}`, { cause: error });
      } finally {
        putOptions.signal?.removeEventListener('abort', onAbort);
      }
      return { bytes };
    },
    async get(key) {
      checkKey(key);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return out.Body as Readable;
      } catch (error) {
        if (isNotFound(error)) throw new ObjectStoreError('objects.missing', `${where(key)} does not exist`);
        throw unreachable(key, error);
      }
    },
    async head(key) {
      checkKey(key);
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { bytes: Number(out.ContentLength ?? 0) };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw unreachable(key, error);
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      for (let page = 0; page < 10_000; page += 1) {
        let out;
        try {
          out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
        } catch (error) {
          throw unreachable(prefix, error);
        }
        for (const item of out.Contents ?? []) if (item.Key) keys.push(item.Key);
        if (!out.IsTruncated || !out.NextContinuationToken) return keys.sort();
        token = out.NextContinuationToken;
      }
      throw new ObjectStoreError('objects.unreachable', `${where(prefix)}: listing did not end after 10000 pages`);
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        batch.forEach(checkKey);
        try {
          await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
        } catch (error) {
          throw unreachable(batch[0] ?? '', error);
        }
      }
    },
  };
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
