// Builds the tiny n8n stand-in image (see test/images/n8n-test-context.ts) in a
// Docker engine that cannot reach a registry, and tags it under as many
// versions as a test needs (rp9/n8n:1.123.4, rp9/n8n:1.123.5, ...), so
// version-change recreates can be exercised without a real n8n.
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { n8nTestContext } from '../images/n8n-test-context.js';

export const TEST_IMAGE = 'rp9/n8n-test:1.0.0';

function splitTag(reference: string): { repo: string; tag: string } {
  const colon = reference.lastIndexOf(':');
  if (colon <= reference.lastIndexOf('/')) return { repo: reference, tag: 'latest' };
  return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}

async function imageId(docker: Docker, reference: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(reference).inspect()).Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** Reads a build's JSON-lines progress stream; rejects on the first error event. */
function followBuild(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let log = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const event = JSON.parse(line) as { stream?: string; error?: string; errorDetail?: { message?: string } };
        if (event.stream) log += event.stream;
        if (event.error) reject(new Error(`test image build failed: ${event.errorDetail?.message ?? event.error}\n${log}`));
      }
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(log));
  });
}

async function build(docker: Docker, reference: string): Promise<void> {
  const stream = await docker.buildImage(Readable.from([n8nTestContext()]), { t: reference, rm: true, forcerm: true, version: '1' } as Docker.ImageBuildOptions);
  await followBuild(stream);
}

/**
 * Makes `tag` name the test image in this engine: a no-op when it already
 * exists; tags the base image when that exists; builds it otherwise.
 * Returns the image reference to put in a container spec (`tag` itself).
 */
export async function ensureTestImage(docker: Docker, tag = TEST_IMAGE): Promise<string> {
  if (await imageId(docker, tag)) return tag;
  if (!(await imageId(docker, TEST_IMAGE))) await build(docker, TEST_IMAGE);
  if (tag !== TEST_IMAGE) await docker.getImage(TEST_IMAGE).tag(splitTag(tag));
  return tag;
}
