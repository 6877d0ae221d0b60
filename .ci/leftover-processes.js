#!/usr/bin/env node
// Fails when the test run left a process behind: a server, a service, a Slurm job step, a job, a browser.
// Usage: leftover-processes.js <run marker> [<the run's cgroup folder>]
// The run's processes are those of its cgroup (a process cannot leave it by being orphaned or by starting
// a session of its own, so a job whose runner was killed is still found there), and any process whose
// environment carries the run's marker (where no cgroup could be made). What is left is listed, given a
// grace period to exit, then killed, so that nothing of the run outlives it.
const { readFileSync, readdirSync, rmdirSync } = require('node:fs');
const { join } = require('node:path');

const [marker, cgroup] = process.argv.slice(2);
const GRACE_MS = 15_000;

function parentOf(pid) {
  // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
}

function ownAncestry() {
  const pids = new Set();
  for (let pid = process.pid; pid > 1; pid = parentOf(pid)) pids.add(pid);
  return pids;
}

function inCgroup() {
  if (!cgroup) return [];
  return readFileSync(join(cgroup, 'cgroup.procs'), 'latin1').split('\n').filter(Boolean).map(Number);
}

function marked() {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker);
      } catch {
        return false; // gone while being read
      }
    });
}

function leftovers() {
  const mine = ownAncestry();
  const found = [];
  for (const pid of new Set([...inCgroup(), ...marked()])) {
    if (mine.has(pid)) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid, command: command || '(zombie or kernel thread)' });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function main() {
  console.log(`leftover processes: looking in ${cgroup ? `the run's cgroup ${cgroup} and ` : ''}the processes marked ${marker.split('=')[0]}`);
  const deadline = Date.now() + GRACE_MS;
  let left = leftovers();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    left = leftovers();
  }
  if (left.length === 0) {
    console.log('leftover processes: none');
  } else {
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
  if (cgroup) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      rmdirSync(cgroup);
    } catch (error) {
      console.log(`leftover processes: the run's cgroup ${cgroup} could not be removed: ${error.message}`);
    }
  }
}

void main();
