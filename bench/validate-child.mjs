// Runs `rp9 validate <dir> --output json` in this process (as bin/rp9.js does)
// and prints what the benchmark needs as one JSON line on stderr.
const started = performance.now();
const [dir] = process.argv.slice(2);
const { main } = await import(new URL('../dist/cli/main.js', import.meta.url).href);
let output = '';
const stdout = { write: (chunk) => ((output += chunk), true), isTTY: false };
const code = await main(['validate', dir, '--output', 'json'], { stdout, stderr: process.stderr, env: {}, cwd: process.cwd() });
const report = JSON.parse(output);
process.stderr.write(
  `${JSON.stringify({
    code,
    inProcessMs: performance.now() - started,
    maxRssKb: process.resourceUsage().maxRSS,
    cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
    tenants: report.tenants,
    errors: report.errors,
    warnings: report.warnings,
    firstDiagnostic: report.diagnostics[0],
  })}\n`,
);
