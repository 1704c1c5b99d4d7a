import { writeFileSync } from 'node:fs';

// Preloaded into a measured CLI child: at exit, write its peak resident set (KiB).
const file = process.env.FORAGER_TEST_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
