// Entry point of a render thread (threaded-renderer.ts). The project is TypeScript run through tsx, and a
// worker thread does not inherit the main thread's module loader, so it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./thread-body.ts');
