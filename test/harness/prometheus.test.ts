import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { startExporter } from './exporter.js';
import { startPrometheus } from './prometheus.js';

describe('startExporter', () => {
  it('serves a registry on /metrics, runs beforeScrape first and counts scrapes', async () => {
    const registry = new Registry();
    const gauge = new Gauge({ name: 'rp9_test_value', help: 'h', labelNames: ['tenant'], registers: [registry] });
    const exporter = await startExporter({ source: registry, beforeScrape: (n) => { gauge.set({ tenant: 'acme' }, n * 10); } });
    try {
      const first = await (await fetch(exporter.url)).text();
      const second = await fetch(exporter.url);
      const other = await fetch(exporter.url.replace('/metrics', '/other'));

      expect(first).toContain('rp9_test_value{tenant="acme"} 10');
      expect(await second.text()).toContain('rp9_test_value{tenant="acme"} 20');
      expect(second.headers.get('content-type')).toBe(registry.contentType);
      expect(other.status).toBe(404);
      expect(exporter.scrapes).toBe(2);
    } finally {
      await exporter.stop();
    }
  });

  it('serves plain exposition text', async () => {
    const exporter = await startExporter({ source: () => 'x_total 3\n' });
    try {
      expect(await (await fetch(exporter.url)).text()).toBe('x_total 3\n');
    } finally {
      await exporter.stop();
    }
  });
});

describe('startPrometheus', () => {
  it('fails with Prometheus own words when it cannot start', async () => {
    await expect(startPrometheus({ scrapeTargets: ['not a host:port/with/path'] })).rejects.toThrow(/prometheus on 127\.0\.0\.1:\d+ exited:\n[\s\S]*not a host:port/);
  });

  it('refuses a fractional scrape interval', async () => {
    await expect(startPrometheus({ scrapeTargets: [], scrapeIntervalSeconds: 0.5 })).rejects.toThrow(/whole number >= 1/);
  });
});
