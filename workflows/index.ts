// Every workflow the worker runs is exported from here; the bundler starts at this file.
export {};
