#!/usr/bin/env node
// npm run soak: the sustained-load run (bench/soak.ts), with the repo's local Kafka broker started
// for it (and stopped after, unless it was already running). Options pass through:
//   npm run soak -- --minutes 2 --rate 10000
'use strict';
const { join } = require('node:path');
const { runWithBroker } = require('./local-broker');

runWithBroker([join(__dirname, '..', 'dist/bench/soak.js'), ...process.argv.slice(2)]);
