#!/usr/bin/env node
// npm run bench: every benchmark from one entry point (bench/main.ts), with the repo's local Kafka
// broker started for the Kafka-bound ones (and stopped after, unless it was already running).
'use strict';
const { join } = require('node:path');
const { runWithBroker } = require('./local-broker');

runWithBroker(['--max-old-space-size=4096', join(__dirname, '..', 'dist/bench/main.js')]);
