// Lets plain TypeScript (tsc, editors) import .svelte files; Vite compiles them.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<any>;
  export default component;
}
