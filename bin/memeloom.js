#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx so a fresh clone needs no build step.
import { register } from 'node:module';

register('tsx/esm', import.meta.url);
await import('../src/cli.ts');
