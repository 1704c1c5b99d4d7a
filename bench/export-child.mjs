// One measured export, in a process of its own and from the compiled build (dist/), as
// `forager export` runs: a TypeScript loader in the measured process would add its own
// memory (~45 MB) and wrappers to both sides of the comparison. Prints the figures as JSON.
const [format, input, out] = process.argv.slice(2);
const { exportTrajectories } = await import(new URL('../dist/export/index.js', import.meta.url).href);
const started = performance.now();
const cpu = process.cpuUsage();
const report = await exportTrajectories([input], { format, out, toolFormat: 'cwm' });
const used = process.cpuUsage(cpu);
const seconds = (performance.now() - started) / 1000;
const steps = report.outputs.reduce((sum, o) => sum + o.steps, 0);
process.stdout.write(JSON.stringify({
  format, trajectories: report.exported, steps, seconds, trajectoriesPerSecond: report.exported / seconds,
  peakRssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds: (used.user + used.system) / 1e6,
}));
