// Writes deploy/grafana/dashboards/*.json from deploy/grafana/dashboards.ts.
import { writeFileSync } from 'node:fs';
import { dashboardJson, dashboards } from '../deploy/grafana/dashboards.js';

for (const [file, board] of Object.entries(dashboards())) {
  writeFileSync(new URL(`../deploy/grafana/dashboards/${file}`, import.meta.url), dashboardJson(board));
  console.log(`wrote deploy/grafana/dashboards/${file}`);
}
