#!/usr/bin/env node
'use strict';
// The bundled CLI; built by `npm run build` (scripts/build.mjs).
require('../dist/cli.js');
