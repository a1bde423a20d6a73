import { describe, expect, it } from 'vitest';
import { classifyDockerError, describeDockerError, DockerError, toDockerError } from './docker-errors.js';

// Shaped like docker-modem's errors: statusCode plus the engine's JSON body.
function engineError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) - ${message}`), { statusCode, json: { message } });
}
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });
}

describe('describeDockerError', () => {
  it.each([
    ['a missing socket', socketError('ENOENT'), 'docker.unreachable', 'transient'],
    ['a refused connection', socketError('ECONNREFUSED'), 'docker.unreachable', 'transient'],
    ['a reset connection', socketError('ECONNRESET'), 'docker.unreachable', 'transient'],
    ['a missing image', engineError(404, 'No such image: rp9/n8n:9.9.9'), 'docker.image-missing', 'terminal'],
    ['a container gone since observe', engineError(404, 'No such container: rp9-acme-main'), 'docker.not-found', 'transient'],
    ['a removal in progress', engineError(409, 'removal of container abc is already in progress'), 'docker.conflict', 'transient'],
    ['a name in use', engineError(409, 'Conflict. The container name "/rp9-acme-main" is already in use by container "abc"'), 'docker.conflict', 'transient'],
    ['memory above swap', engineError(409, 'Cannot update container abc: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time'), 'docker.invalid-config', 'terminal'],
    ['a bad request', engineError(400, 'invalid restart policy: unknown policy'), 'docker.invalid-config', 'terminal'],
    ['a missing executable', engineError(500, 'failed to create task for container: OCI runtime create failed: exec: "nope": executable file not found in $PATH'), 'docker.invalid-config', 'terminal'],
    ['a daemon hiccup', engineError(500, 'context deadline exceeded'), 'docker.server-error', 'transient'],
    ['a 503', engineError(503, 'service unavailable'), 'docker.server-error', 'transient'],
  ] as const)('classifies %s', (_what, err, code, retry) => {
    const described = describeDockerError(err);

    expect(described.code).toBe(code);
    expect(described.retry).toBe(retry);
    expect(classifyDockerError(err)).toBe(retry);
  });

  it('prefers the engine message over the modem wrapper', () => {
    expect(describeDockerError(engineError(404, 'No such image: x:1')).message).toBe('No such image: x:1');
  });

  it('keeps the code and class of a DockerError', () => {
    const err = new DockerError('docker.not-managed', 'terminal', 'volume v is not managed by rp9');

    expect(describeDockerError(err)).toEqual({ code: 'docker.not-managed', retry: 'terminal', message: 'volume v is not managed by rp9' });
  });

  it('wraps an engine error with what was being done and keeps the cause', () => {
    const cause = engineError(404, 'No such image: rp9/n8n:1.0.0');

    const wrapped = toDockerError(cause, 'create container rp9-acme-main');

    expect(wrapped).toBeInstanceOf(DockerError);
    expect(wrapped.code).toBe('docker.image-missing');
    expect(wrapped.message).toBe('create container rp9-acme-main: No such image: rp9/n8n:1.0.0');
    expect(wrapped.cause).toBe(cause);
  });
});
