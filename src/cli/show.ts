import type { Command } from 'commander';
import { captureText } from '../core/capture.js';
import { readTrajectory } from '../trajectory/reader.js';
import type { Step } from '../trajectory/schema.js';
import { summariseFooter } from './summary.js';
import { escapeForTerminal, escapeJsonForTerminal } from './terminal-text.js';

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('Print a trajectory readably')
    .argument('<trajectory>', 'trajectory file (.jsonl)')
    .option('--full', 'print whole outputs instead of their first 2,000 characters')
    .option('--json', 'print the parsed trajectory as JSON')
    .action(async (file: string, options: { full?: boolean; json?: boolean }) => {
      const trajectory = await readTrajectory(file);
      if (options.json) {
        process.stdout.write(`${escapeJsonForTerminal(JSON.stringify(trajectory, null, 2))}\n`);
        return;
      }
      const { header, steps, footer } = trajectory;
      const out: string[] = [
        `task ${header.task.id}  (hash ${header.task.hash.slice(0, 12)})`,
        `image ${header.image.ref}  ${header.image.id}`,
        `agent ${JSON.stringify(header.agent)}`,
        `started ${header.started_at}  run ${header.run_id}  attempt ${header.attempt}`,
        '',
        header.task.instruction.trim(),
        '',
      ];
      for (const step of steps) out.push(...formatStep(step, options.full ?? false), '');
      out.push(footer ? `== ${summariseFooter(footer)}` : '== partial trajectory: no footer (the run crashed or is still going)');
      if (footer?.reward !== undefined) out.push(`== reward ${footer.reward}${footer.evaluation && 'resolved' in footer.evaluation ? ` (resolved: ${String(footer.evaluation.resolved)})` : ''}`);
      if (footer?.patch) out.push(`== patch (${Buffer.byteLength(footer.patch)} bytes)`, options.full ? footer.patch : footer.patch.slice(0, 2000));
      // Everything here may come from the agent or its container: escaped before it reaches a terminal.
      process.stdout.write(`${escapeForTerminal(out.join('\n'))}\n`);
    });
}

function formatStep(step: Step, full: boolean): string[] {
  const clip = (text: string) => (full || text.length <= 2000 ? text : `${text.slice(0, 2000)}… [${text.length - 2000} more characters; --full shows all]`);
  const lines = [`── step ${step.index} ── ${describeAction(step)}`];
  if (step.model?.format_error) lines.push(`format error: ${step.model.format_error}`);
  const obs = step.observation;
  if (obs) {
    const stdout = captureText(obs.stdout);
    const stderr = captureText(obs.stderr);
    if (stdout) lines.push(clip(stdout.trimEnd()));
    if (stderr) lines.push(`[stderr] ${clip(stderr.trimEnd())}`);
    const flags = [
      `exit ${obs.exit_code ?? obs.signal ?? '?'}`,
      `${obs.duration_ms.toFixed(1)} ms`,
      obs.timed_out ? 'TIMED OUT' : '',
      obs.session_restarted ? 'session restarted' : '',
      obs.stdout.omitted_bytes + obs.stderr.omitted_bytes > 0 ? `${obs.stdout.omitted_bytes + obs.stderr.omitted_bytes} bytes omitted` : '',
    ].filter(Boolean);
    lines.push(`[${flags.join(', ')}]`);
  }
  if (step.state && step.state.changes.length) {
    lines.push(`changed: ${step.state.changes.map((c) => `${c.change === 'added' ? '+' : c.change === 'deleted' ? '-' : '~'}${c.path}`).join(' ')}`);
  }
  if (step.failure) lines.push(`FAILED (${step.failure.kind}): ${step.failure.message}`);
  return lines;
}

function describeAction(step: Step): string {
  const a = step.action;
  if (!a) return '(no valid action)';
  switch (a.tool) {
    case 'bash': return `$ ${a.command}`;
    case 'view': return `view ${a.path}${a.start_line ? `:${a.start_line}-${a.end_line ?? ''}` : ''}`;
    case 'create': return `create ${a.path} (${a.content.length} chars)`;
    case 'edit': return `edit ${a.path}`;
    case 'submit': return `submit ${a.result ?? ''}`;
  }
}
