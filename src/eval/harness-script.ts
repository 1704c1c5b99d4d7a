import { shellQuote } from '../core/quote.js';

/** The harness's markers around the test command's output (swebench/harness/constants: START_TEST_OUTPUT, END_TEST_OUTPUT). */
export const START_TEST_OUTPUT = '>>>>> Start Test Output';
export const END_TEST_OUTPUT = '>>>>> End Test Output';

/** Where the script leaves what forager reads besides the log: the exit codes of the prepare steps and of the test patch. */
export const PREPARE_RC = '/tmp/forager-eval/prepare.rc';
export const TEST_PATCH_RC = '/tmp/forager-eval/test-patch.rc';

/**
 * The SWE-bench harness's eval script (test_spec/python.py make_eval_script_list, run under
 * `set -uxo pipefail`), with forager's test patch file in place of its heredoc: the prepare
 * commands (conda environment, eval_commands, the reinstall), the test files reset to the
 * base commit, the test patch applied, the start marker, the test command, the end marker,
 * the test files reset again. A failing step does not stop it, as in the harness; the
 * exit codes forager needs are written to files, and the script exits with the test
 * command's own.
 */
export function harnessEvalScript(options: { prepare: string[]; testFiles: string[]; testPatchFile?: string; testCommand: string }): string {
  const reset = options.testFiles.length > 0 ? `git checkout HEAD -- ${options.testFiles.map(shellQuote).join(' ')}` : ':';
  return [
    '#!/bin/bash',
    'set -uxo pipefail',
    ...options.prepare,
    `echo $? > ${PREPARE_RC}`,
    reset,
    ...(options.testPatchFile ? [`git apply -v ${shellQuote(options.testPatchFile)}`, `echo $? > ${TEST_PATCH_RC}`] : [`echo 0 > ${TEST_PATCH_RC}`]),
    `: '${START_TEST_OUTPUT}'`,
    options.testCommand,
    '__forager_tests_rc=$?',
    `: '${END_TEST_OUTPUT}'`,
    reset,
    'exit $__forager_tests_rc',
    '',
  ].join('\n');
}

/**
 * What the harness parses (grading.py get_logs_eval): the text between the start and end
 * markers when both are there; the whole log otherwise (later releases' fallback).
 */
export function testOutputSection(log: string): { text: string; markers: boolean } {
  const start = log.indexOf(START_TEST_OUTPUT);
  if (start === -1) return { text: log, markers: false };
  const rest = log.slice(start + START_TEST_OUTPUT.length);
  const end = rest.indexOf(END_TEST_OUTPUT);
  if (end === -1) return { text: log, markers: false };
  return { text: rest.slice(0, end), markers: true };
}
