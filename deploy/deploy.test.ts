import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { referenceValidator } from '../test/reference-schemas.js';

function yamlFile(path: string): unknown {
  // merge: compose applies YAML merge keys (`<<: *anchor`), as docker-compose.yml uses them.
  return parse(readFileSync(new URL(path, import.meta.url), 'utf8'), { merge: true });
}

describe('deploy configuration', () => {
  it('the Traefik static config satisfies the Traefik v3 schema and watches the route directory', () => {
    const config = yamlFile('./traefik/traefik.yml') as { providers: { file: { directory: string; watch: boolean } } };
    const validate = referenceValidator('traefik-v3.json');
    expect(validate(config)).toEqual([]);
    expect(validate({ entryPoints: { web: { adress: ':80' } } })).not.toEqual([]);
    expect(config.providers.file).toEqual({ directory: '/etc/traefik/dynamic', watch: true });
  });

  it('the compose stack satisfies the Compose specification and shares the route directory with Traefik', () => {
    const compose = yamlFile('./docker-compose.yml') as { services: Record<string, { volumes?: string[] }> };
    expect(referenceValidator('compose-spec.json')(compose)).toEqual([]);
    expect(compose.services.traefik?.volumes).toContain('traefik-dynamic:/etc/traefik/dynamic:ro');
    expect(compose.services.controller?.volumes).toContain('traefik-dynamic:/etc/traefik/dynamic');
  });

  it('the Prometheus config satisfies the Prometheus schema', () => {
    expect(referenceValidator('prometheus.json')(yamlFile('./prometheus/prometheus.yml'))).toEqual([]);
  });

  it('Prometheus scrapes the bots runner where the bots service serves its metrics', () => {
    const compose = yamlFile('./docker-compose.yml') as { services: Record<string, { environment?: Record<string, string>; command?: string[] }> };
    const prometheus = yamlFile('./prometheus/prometheus.yml') as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const bots = compose.services.bots;
    expect(bots?.command).toEqual(['bots']);
    const port = /^0\.0\.0\.0:(\d+)$/.exec(bots?.environment?.RP9_BOTS_METRICS_LISTEN ?? '')?.[1];
    expect(port).toBeDefined();
    const job = prometheus.scrape_configs.find((c) => c.job_name === 'rp9-bots');
    expect(job?.static_configs.flatMap((c) => c.targets)).toEqual([`bots:${port}`]);
  });
});
