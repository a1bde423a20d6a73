import { describe, expect, it } from 'vitest';
import { dockerFoundText, type DockerFound } from './docker-found.js';

describe('dockerFoundText', () => {
  it.each<[string, DockerFound, string]>([
    ['found, with its version', { found: true, where: '/var/run/docker.sock', version: '24.0.7' }, 'found at /var/run/docker.sock (Docker 24.0.7)'],
    ['found, version unknown', { found: true, where: 'tcp://docker:2375' }, 'found at tcp://docker:2375'],
    ['not found', { found: false, where: '/var/run/docker.sock', error: 'ENOENT' }, 'not found at /var/run/docker.sock: ENOENT; shared tenants are applied, dedicated tenants wait for Docker'],
  ])('%s', (_name, input, expected) => {
    expect(dockerFoundText(input)).toBe(expected);
  });
});
