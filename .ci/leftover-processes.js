#!/usr/bin/env node
// Fails when the test run left a process behind: a server, a service, a Slurm job step, a browser.
// Usage: leftover-processes.js <run marker> <boot tick at which the run started>
// A process counts as the run's if its environment carries the run's marker (everything the run started
// inherits it, down to Slurm's job steps), or if it started during the run and was orphaned (a job whose
// runner was killed has its environment rebuilt, so only its orphaning shows it). What is left is reported,
// given a grace period to exit, then killed, so that nothing of the run outlives it.
const { readFileSync, readdirSync } = require('node:fs');

const [marker, startTickText] = process.argv.slice(2);
const startTick = Number(startTickText);
const GRACE_MS = 15_000;

function stat(pid) {
  // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), startTick: Number(fields[19]) };
}

function ownAncestry() {
  const pids = new Set();
  for (let pid = process.pid; pid > 1; pid = stat(pid).ppid) pids.add(pid);
  return pids;
}

function leftovers() {
  const mine = ownAncestry();
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (mine.has(pid)) continue;
    try {
      const { ppid, startTick: started } = stat(pid);
      if (pid === 2 || ppid === 2) continue; // kernel threads
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      const marked = environ.split('\0').includes(marker);
      const orphanedDuringRun = ppid === 1 && started >= startTick;
      if (!marked && !orphanedDuringRun) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      if (command) found.push({ pid, command });
    } catch {
      // gone while being read
    }
  }
  return found;
}

async function main() {
  const deadline = Date.now() + GRACE_MS;
  let left = leftovers();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    left = leftovers();
  }
  if (left.length === 0) {
    console.log('leftover processes: none');
    return;
  }
  console.log(`leftover processes: ${left.length} still running ${GRACE_MS / 1000} s after the tests ended (killed now):`);
  for (const { pid, command } of left) {
    console.log(`  ${pid} ${command.slice(0, 200)}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  process.exitCode = 1;
}

void main();
