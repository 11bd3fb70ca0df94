#!/usr/bin/env node
// The warden CLI: the build, or the sources in a checkout (see ../entry.js).
import { load } from '../entry.js';

const { main } = await load('cli/main');
process.exitCode = await main(process.argv);
