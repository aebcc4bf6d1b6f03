/**
 * The timeline picture: the connection's life on a time axis, drawn from its history (the derivation
 * is src/store/timeline, this is only SVG). A lazy chunk: pages load it through lazy.tsx.
 *
 * Focus: one tab stop for the axis, one for the marks (a roving tabindex), arrow keys between them,
 * Enter to the history line. The "now" line follows the shared clock only while the picture is on
 * screen and now is within (or ahead of) the range shown; the drawing itself changes only when a
 * token's state does, so a tick moves one line and nothing else.
 */
import "./timeline.css";
import {
  createEffect,
  createMemo,
  createSignal,
  createUniqueId,
  For,
  on,
  onCleanup,
  onMount,
  Show,
  untrack,
} from "solid-js";
import type { DiagnosticBundle } from "../../../store/bundle.ts";
import { knownSecrets } from "../../../store/bundle.ts";
import type { Connection, ConnectionEvent } from "../../../store/records.ts";
import {
  type Item,
  itemNear,
  type LaneId,
  layoutTimeline,
  type Move,
  neighbour,
} from "../../../store/timeline/layout.ts";
import { buildTimeline, isEmpty, nextChange } from "../../../store/timeline/model.ts";
import { checkPicture, pictureFileName } from "../../../store/timeline/picture.ts";
import { domainOf, formatUtc, formatWhen, xOf, type Zoom } from "../../../store/timeline/scale.ts";
import {
  sourceFromBundle,
  sourceFromConnection,
  type TimelineSource,
} from "../../../store/timeline/source.ts";
import { describeTimeline } from "../../../store/timeline/summary.ts";
import { useClock, watchOnScreen } from "../../state/clock.ts";
import { bundleEntryId, focusEntry, historyEntryId } from "../entry-ids.ts";
import { ProblemAlert } from "../problem-alert.tsx";
import { saveFile } from "../save-file.ts";
import { ItemShape, LegendShape } from "./draw.tsx";
import { standaloneSvg, svgToPng } from "./save.ts";

/** Width before the first measurement (and in tests, which have no layout). */
const DEFAULT_WIDTH = 720;

const ZOOMS: ReadonlyArray<{ readonly kind: "hour" | "day" | "all"; readonly label: string }> = [
  { kind: "hour", label: "Last hour" },
  { kind: "day", label: "Last day" },
  { kind: "all", label: "Everything" },
];

const KEY_MOVES: Readonly<Record<string, Move>> = {
  ArrowRight: "next",
  ArrowLeft: "prev",
  ArrowDown: "down",
  ArrowUp: "up",
  Home: "first",
  End: "last",
};

export interface TimelineProps {
  readonly source: TimelineSource;
  /** Credential values the connection holds: a saved picture holding one is refused. */
  readonly secrets?: ReadonlyArray<readonly [string, string]>;
}

export function TimelineView(props: TimelineProps) {
  const ids = {
    heading: createUniqueId(),
    title: createUniqueId(),
    summary: createUniqueId(),
  };
  const clock = useClock();
  const model = createMemo(() => buildTimeline(props.source));
  const [zoom, setZoom] = createSignal<Zoom>({ kind: "all" });
  const [width, setWidth] = createSignal(DEFAULT_WIDTH);
  const [onScreen, setOnScreen] = createSignal(typeof IntersectionObserver === "undefined");
  // The instant the drawing is true for: moved on only when something's state changes.
  const [epoch, setEpoch] = createSignal(untrack(clock));
  const domain = createMemo(() => domainOf(zoom(), model(), epoch()));
  const live = () => onScreen() && domain().to >= epoch();
  // Off screen, or zoomed into the past, the clock's ticks do not reach anything below this memo.
  const now = createMemo<number>((last) => (live() ? clock() : last), untrack(clock));
  const changeAt = createMemo(() => Math.min(nextChange(model(), epoch()), domain().to));
  createEffect(() => {
    const t = now();
    if (t >= changeAt()) setEpoch(t);
  });
  // A new history line or token is a change too, and happened by now: draw it at once, on screen
  // or not (nextChange foresees expiries only, so the drawing would wait for the next one).
  createEffect(on(model, () => setEpoch((last) => Math.max(last, untrack(clock))), { defer: true }));
  const layout = createMemo(() =>
    layoutTimeline({ model: model(), domain: domain(), width: width(), now: epoch() }),
  );
  const summary = createMemo(() => describeTimeline(model(), epoch()));
  const nowX = createMemo(() => {
    const d = domain();
    const t = now();
    return t < d.from || t > d.to ? null : xOf(d, layout().left, layout().right, t);
  });

  // Focus: which item holds the tab stop, and where it was, to land near it after a re-layout.
  const [activeKey, setActiveKey] = createSignal<string | null>(null);
  const [focusedKey, setFocusedKey] = createSignal<string | null>(null);
  const [hoveredKey, setHoveredKey] = createSignal<string | null>(null);
  const [utcAxis, setUtcAxis] = createSignal(false);
  let near: { lane: LaneId | null; at: number | null } = { lane: null, at: null };
  const active = createMemo(() => itemNear(layout(), activeKey(), near.lane, near.at));
  const itemByKey = (key: string | null) =>
    key === null
      ? undefined
      : layout()
          .lanes.flatMap((l) => l.items)
          .find((i) => i.key === key);
  const detail = () => itemByKey(hoveredKey()) ?? itemByKey(focusedKey());

  let svg: SVGSVGElement | undefined;
  let figure: HTMLElement | undefined;
  let section: HTMLElement | undefined;
  let hadFocus = false;
  let focusAfterLayout = false;
  const elementFor = (key: string) =>
    [...(svg?.querySelectorAll<SVGGElement>("[data-key]") ?? [])].find(
      (el) => el.getAttribute("data-key") === key,
    );
  const focusItem = (item: Item) => {
    near = { lane: item.lane, at: item.at };
    setActiveKey(item.key);
    elementFor(item.key)?.focus();
  };
  const activate = (item: Item) => {
    if (item.zoomTo !== null) {
      near = { lane: item.lane, at: item.at };
      focusAfterLayout = true;
      setZoom({ kind: "range", from: item.zoomTo.from, to: item.zoomTo.to });
      return;
    }
    if (item.ref !== null) focusEntry(item.ref);
  };
  const onKeyDown = (event: KeyboardEvent, current: Item) => {
    const move = KEY_MOVES[event.key];
    if (move !== undefined) {
      event.preventDefault();
      const next = neighbour(layout(), current.key, move);
      if (next !== null) focusItem(next);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      activate(current);
    }
  };
  const onFocusOut = (event: FocusEvent) => {
    setFocusedKey(null);
    const target = event.target as Element;
    const to = event.relatedTarget as Node | null;
    if (to !== null) hadFocus = svg?.contains(to) ?? false;
    // A focused item removed by a re-layout loses focus without anywhere to go: keep the memory then.
    else
      queueMicrotask(() => {
        if (target.isConnected) hadFocus = false;
      });
  };
  // After a re-layout (a token expired, a zoom), focus returns to the item it was on, or the nearest.
  createEffect(
    on(
      layout,
      () => {
        const lost =
          hadFocus && (document.activeElement === null || document.activeElement === document.body);
        if (!focusAfterLayout && !lost) return;
        focusAfterLayout = false;
        const item = active();
        if (item !== null) focusItem(item);
      },
      { defer: true },
    ),
  );

  onMount(() => {
    if (figure === undefined) return;
    if (typeof ResizeObserver !== "undefined") {
      const resize = new ResizeObserver((entries) => {
        const w = Math.floor(entries[0]?.contentRect.width ?? 0);
        if (w > 0 && Math.abs(w - width()) >= 1) setWidth(w);
      });
      resize.observe(figure);
      onCleanup(() => resize.disconnect());
    }
    if (typeof IntersectionObserver !== "undefined") onCleanup(watchOnScreen(figure, setOnScreen));
  });

  const [saveProblem, setSaveProblem] = createSignal<string | null>(null);
  const svgText = () => {
    if (svg === undefined) throw new Error("The picture is not drawn yet.");
    const background = section === undefined ? "#ffffff" : getComputedStyle(section).backgroundColor;
    return checkPicture(standaloneSvg(svg, background), props.secrets ?? []);
  };
  const name = (extension: "svg" | "png") =>
    pictureFileName(props.source.provider, props.source.clientId, Date.now(), extension);
  const save = async (kind: "svg" | "png") => {
    setSaveProblem(null);
    try {
      const text = svgText();
      const blob =
        kind === "svg"
          ? new Blob([text], { type: "image/svg+xml" })
          : await svgToPng(text, layout().width, layout().height);
      saveFile(blob, name(kind));
    } catch (error) {
      setSaveProblem(error instanceof Error ? error.message : String(error));
    }
  };

  const rangeWords = () => {
    const d = domain();
    return `${formatWhen(d.from)} to ${formatWhen(d.to)}`;
  };

  return (
    <section class="card timeline" aria-labelledby={ids.heading} ref={section} data-testid="timeline">
      <h3 id={ids.heading}>Timeline</h3>
      <Show
        when={!isEmpty(model())}
        fallback={<p class="muted">Nothing has happened on this connection yet.</p>}
      >
        <p class="muted">
          The code, each access token from issue to expiry, the refresh token's lineage, and every line of the
          history. Tab to the picture; the arrow keys move between its bars and marks; Enter opens the history
          line, or zooms into a group.
        </p>
        <div class="actions">
          <span>Zoom:</span>
          <For each={ZOOMS}>
            {(z) => (
              <button
                type="button"
                class="copy"
                aria-pressed={zoom().kind === z.kind}
                onClick={() => {
                  near = { lane: null, at: null };
                  setZoom({ kind: z.kind });
                }}
              >
                {z.label}
              </button>
            )}
          </For>
          <Show when={zoom().kind === "range"}>
            <span class="muted" data-testid="timeline-range">
              Zoomed in: {rangeWords()}
            </span>
          </Show>
        </div>
        <figure class="timeline-figure" ref={figure}>
          {/* biome-ignore lint/a11y/useSemanticElements: SVG has no <fieldset>; the picture groups its lanes. */}
          <svg
            ref={svg}
            class="tl"
            width={layout().width}
            height={layout().height}
            viewBox={`0 0 ${layout().width} ${layout().height}`}
            role="group"
            aria-labelledby={ids.title}
            aria-describedby={ids.summary}
            data-testid="timeline-picture"
          >
            <title id={ids.title}>{`Timeline of ${props.source.name}`}</title>
            <desc>{summary()}</desc>
            <For each={layout().guides}>
              {(guide) => (
                <g class="tl-guide-g">
                  <line
                    class="tl-guide"
                    x1={guide.x}
                    x2={guide.x}
                    y1={layout().plotTop}
                    y2={layout().plotBottom}
                  />
                  <text class="tl-guide-label" x={guide.x - 3} y={layout().plotTop + 8} text-anchor="end">
                    {guide.label}
                  </text>
                </g>
              )}
            </For>
            <g class="tl-lanes">
              <For each={layout().lanes}>
                {(lane) => (
                  // biome-ignore lint/a11y/useSemanticElements lint/a11y/noInteractiveElementToNoninteractiveRole: SVG has no <fieldset>, and a <g> is no control: a lane is a group of marks.
                  <g
                    class={`tl-lane tl-lane-${lane.id}`}
                    role="group"
                    aria-labelledby={`${ids.title}-${lane.id}`}
                  >
                    <text
                      class="tl-lane-title"
                      id={`${ids.title}-${lane.id}`}
                      x={layout().left}
                      y={lane.titleY}
                    >
                      {lane.title}
                    </text>
                    <For each={lane.items}>
                      {(item) => (
                        // biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; Enter and Space work as on one.
                        <g
                          class="tl-item"
                          role="button"
                          tabindex={active()?.key === item.key ? 0 : -1}
                          aria-label={item.label}
                          data-key={item.key}
                          onKeyDown={(event) => onKeyDown(event, item)}
                          onFocusOut={onFocusOut}
                          onFocus={() => {
                            hadFocus = true;
                            near = { lane: item.lane, at: item.at };
                            setActiveKey(item.key);
                            setFocusedKey(item.key);
                          }}
                          onClick={() => {
                            focusItem(item);
                            activate(item);
                          }}
                          onMouseEnter={() => setHoveredKey(item.key)}
                          onMouseLeave={() => setHoveredKey(null)}
                        >
                          <Show when={focusedKey() === item.key}>
                            <rect
                              class="tl-focus"
                              x={item.box.x}
                              y={item.box.y}
                              width={item.box.w}
                              height={item.box.h}
                              rx="3"
                            />
                          </Show>
                          <ItemShape draw={item.draw} />
                        </g>
                      )}
                    </For>
                  </g>
                )}
              </For>
            </g>
            <For each={layout().notes}>
              {(note) => (
                <text class="tl-note" x={note.x} y={note.y} text-anchor="end">
                  {note.text}
                </text>
              )}
            </For>
            {/* biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: focusable so the keyboard can read the axis in UTC, as the pointer can. */}
            <g
              class="tl-axis"
              tabindex="0"
              role="img"
              aria-label={`Time axis, ${rangeWords()} local time; from ${formatUtc(domain().from)} to ${formatUtc(domain().to)}`}
              onFocus={() => setUtcAxis(true)}
              onBlur={() => setUtcAxis(false)}
              onMouseEnter={() => setUtcAxis(true)}
              onMouseLeave={() => setUtcAxis(false)}
              data-testid="timeline-axis"
            >
              <rect
                class="tl-axis-hit"
                x={layout().left}
                y={layout().axisY - 2}
                width={layout().right - layout().left}
                height="24"
              />
              <line
                class="tl-axis-line"
                x1={layout().left}
                x2={layout().right}
                y1={layout().axisY}
                y2={layout().axisY}
              />
              <For each={layout().ticks}>
                {(tick) => (
                  <g class="tl-tick-g">
                    <line
                      class="tl-tick"
                      x1={tick.x}
                      x2={tick.x}
                      y1={layout().axisY}
                      y2={layout().axisY + 4}
                    />
                    <text
                      class="tl-tick-label"
                      x={tick.x}
                      y={layout().axisY + 16}
                      text-anchor={tick.x < 24 ? "start" : tick.x > layout().width - 24 ? "end" : "middle"}
                    >
                      {utcAxis() ? tick.utcLabel : tick.label}
                      <title>{tick.utc}</title>
                    </text>
                  </g>
                )}
              </For>
              <Show when={utcAxis()}>
                <text class="tl-axis-zone" x={layout().right} y={layout().axisY - 4} text-anchor="end">
                  UTC
                </text>
              </Show>
            </g>
            <Show when={nowX() !== null}>
              <g class="tl-now-g" data-testid="timeline-now">
                <line
                  class="tl-now"
                  x1={nowX() ?? 0}
                  x2={nowX() ?? 0}
                  y1={layout().plotTop}
                  y2={layout().axisY}
                />
                <text class="tl-now-label" x={nowX() ?? 0} y={layout().plotTop - 2} text-anchor="middle">
                  now
                </text>
              </g>
            </Show>
            <g class="tl-legend">
              <For each={layout().legend}>{(entry) => <LegendShape entry={entry} />}</For>
            </g>
          </svg>
          <figcaption id={ids.summary} class="timeline-summary" data-testid="timeline-summary">
            {summary()}
          </figcaption>
        </figure>
        <p class="timeline-detail" aria-hidden="true" data-testid="timeline-detail">
          <Show when={detail()} fallback={"\u00a0"}>
            {(item) => (
              <>
                {item().label} <span class="muted">({formatUtc(item().at)})</span>
              </>
            )}
          </Show>
        </p>
        <div class="actions">
          <button type="button" class="button" onClick={() => void save("svg")}>
            Save picture (SVG)
          </button>
          <button type="button" class="button" onClick={() => void save("png")}>
            Save picture (PNG)
          </button>
          <span class="muted">Fingerprints only: no token, code or secret is in the picture.</span>
        </div>
        <ProblemAlert message={saveProblem()} />
      </Show>
    </section>
  );
}

/** The timeline of a stored connection; its marks lead to the connection page's history entries. */
export function ConnectionTimeline(props: { connection: Connection; events: readonly ConnectionEvent[] }) {
  const source = createMemo(() =>
    sourceFromConnection(props.connection, props.events, (e) => historyEntryId(e.id)),
  );
  const secrets = createMemo(() => knownSecrets(props.connection));
  return <TimelineView source={source()} secrets={secrets()} />;
}

/** The timeline of a diagnostic bundle; its marks lead to the bundle's history entries. */
export function BundleTimeline(props: {
  bundle: DiagnosticBundle;
  secrets?: ReadonlyArray<readonly [string, string]>;
}) {
  const source = createMemo(() => sourceFromBundle(props.bundle, bundleEntryId));
  return <TimelineView source={source()} {...(props.secrets ? { secrets: props.secrets } : {})} />;
}
