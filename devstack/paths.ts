import os from 'node:os';
import path from 'node:path';

/**
 * Where the local stack keeps its files: data inside the clone (or in OFFERHUB_DATA_DIR, e.g. a test's temporary
 * directory), built tools in a per-user cache shared by all clones.
 */
export const ROOT = path.resolve(__dirname, '..');
export const DATA_DIR = path.resolve(process.env.OFFERHUB_DATA_DIR || path.join(ROOT, '.data'));
export const CACHE_DIR = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'offerhub');
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_BIN = path.join(CACHE_DIR, `temporal-cli-${TEMPORAL_CLI_VERSION.slice(1)}`, 'temporal');
