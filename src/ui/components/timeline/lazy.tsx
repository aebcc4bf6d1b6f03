/**
 * The timeline as pages use it: loaded when first drawn, so neither the first screen nor the pages
 * that show it pay for the picture until it appears.
 */
import { type ComponentProps, lazy, Suspense } from "solid-js";

const Connection = lazy(() => import("./timeline.tsx").then((m) => ({ default: m.ConnectionTimeline })));
const Bundle = lazy(() => import("./timeline.tsx").then((m) => ({ default: m.BundleTimeline })));

function Drawing() {
  return (
    <section class="card" aria-busy="true">
      <h3>Timeline</h3>
      <p class="muted">Drawing the timeline…</p>
    </section>
  );
}

export function LazyConnectionTimeline(props: ComponentProps<typeof Connection>) {
  return (
    <Suspense fallback={<Drawing />}>
      <Connection {...props} />
    </Suspense>
  );
}

export function LazyBundleTimeline(props: ComponentProps<typeof Bundle>) {
  return (
    <Suspense fallback={<Drawing />}>
      <Bundle {...props} />
    </Suspense>
  );
}
