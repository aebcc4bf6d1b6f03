/** The shapes of one timeline item and of the legend: geometry from the layout, looks from timeline.css. */
import { Match, Show, Switch } from "solid-js";
import type { Draw, LegendEntry } from "../../../store/timeline/layout.ts";
import { MARK_STYLES, type MarkKind } from "../../../store/timeline/marks.ts";
import { FILLED, GLYPH, shapePath } from "../../../store/timeline/shapes.ts";

const R = 5;

function MarkShape(props: { kind: MarkKind; cx: number; cy: number; r?: number }) {
  const style = () => MARK_STYLES[props.kind];
  const r = () => props.r ?? R;
  return (
    <g class={`tl-mark-g${style().failure ? " tl-failure" : ""}`}>
      <path
        class={`tl-mark ${FILLED[style().shape] ? "tl-filled" : "tl-hollow"}`}
        d={shapePath(style().shape, props.cx, props.cy, r())}
      />
      <Show when={GLYPH[style().shape]}>
        {(glyph) => (
          <text
            class={`tl-glyph${FILLED[style().shape] ? " tl-glyph-on-fill" : ""}`}
            x={props.cx}
            y={props.cy + r() * 0.45}
            text-anchor="middle"
          >
            {glyph()}
          </text>
        )}
      </Show>
    </g>
  );
}

function Cap(props: {
  x: number;
  y: number;
  h: number;
  kind: "refused" | "revoked" | "unknown" | "expired";
}) {
  const mid = () => props.y + props.h / 2;
  return (
    <Switch>
      <Match when={props.kind === "expired"}>
        <path
          class="tl-cap tl-cap-expired"
          d={`M${props.x} ${props.y - 3} L${props.x} ${props.y + props.h + 3}`}
        />
      </Match>
      <Match when={props.kind === "refused"}>
        <g class="tl-failure">
          <path class="tl-cap" d={shapePath("cross", props.x, mid(), 5)} />
        </g>
      </Match>
      <Match when={props.kind === "revoked"}>
        <path class="tl-cap" d={shapePath("slash", props.x, mid(), 5)} />
      </Match>
      <Match when={props.kind === "unknown"}>
        <g class="tl-failure">
          <MarkShape kind="outcome_unknown" cx={props.x} cy={mid()} />
        </g>
      </Match>
    </Switch>
  );
}

/** One item of the picture, as its layout says. */
export function ItemShape(props: { draw: Draw }) {
  return (
    <Switch>
      <Match when={props.draw.kind === "mark" && props.draw}>
        {(d) => (
          <>
            <MarkShape kind={d().mark} cx={d().cx} cy={d().cy} />
            <Show when={d().tag}>
              {(tag) => (
                <text
                  class={`tl-tag${MARK_STYLES[d().mark].failure ? " tl-tag-failure" : ""}`}
                  x={d().cx}
                  y={d().cy - R - 5}
                  text-anchor="middle"
                >
                  {tag()}
                </text>
              )}
            </Show>
          </>
        )}
      </Match>
      <Match when={props.draw.kind === "group" && props.draw}>
        {(d) => (
          <>
            <rect
              class={`tl-group${d().failure ? " tl-group-failure" : ""}`}
              x={d().x0}
              y={d().y}
              width={Math.max(1, d().x1 - d().x0)}
              height={d().h}
              rx={d().h / 2}
            />
            <Show when={d().x1 - d().x0 >= String(d().count).length * 6 + 6}>
              <text
                class="tl-group-count"
                x={(d().x0 + d().x1) / 2}
                y={d().y + d().h / 2 + 3.5}
                text-anchor="middle"
              >
                {d().count.toLocaleString("en")}
              </text>
            </Show>
            <Show when={d().failure}>
              <text class="tl-tag tl-tag-failure" x={d().x1 + 2} y={d().y - 1} text-anchor="start">
                !
              </text>
            </Show>
          </>
        )}
      </Match>
      <Match when={props.draw.kind === "bar" && props.draw}>
        {(d) => (
          <>
            <Show when={d().tail}>
              {(tail) => (
                <line
                  class={`tl-tail tl-tail-${tail().look}`}
                  x1={tail().x0}
                  x2={tail().x1}
                  y1={d().y + d().h / 2}
                  y2={d().y + d().h / 2}
                />
              )}
            </Show>
            <rect
              class={`tl-bar tl-${d().look}`}
              x={d().x0}
              y={d().y}
              width={Math.max(1, d().x1 - d().x0)}
              height={d().h}
              rx="2"
            />
            <Show when={d().open}>
              <path
                class={`tl-open tl-${d().look}`}
                d={`M${d().x1} ${d().y - 2} L${d().x1 + 6} ${d().y + d().h / 2} L${d().x1} ${d().y + d().h + 2} Z`}
              />
            </Show>
            <Show when={d().text}>
              {(text) => (
                <text class={`tl-bar-text tl-on-${d().look}`} x={d().x0 + 4} y={d().y + d().h / 2 + 3.5}>
                  {text()}
                </text>
              )}
            </Show>
            <Show when={d().cap}>{(cap) => <Cap x={cap().x} y={d().y} h={d().h} kind={cap().kind} />}</Show>
          </>
        )}
      </Match>
    </Switch>
  );
}

/** A legend entry: its glyph, then its words. */
export function LegendShape(props: { entry: LegendEntry }) {
  const y = () => props.entry.y;
  return (
    <g class="tl-legend-entry">
      <Switch>
        <Match when={props.entry.type === "mark" && props.entry}>
          {(e) => <MarkShape kind={e().kind} cx={e().x + 7} cy={y() - 4} r={4.5} />}
        </Match>
        <Match when={props.entry.type === "bar" && props.entry}>
          {(e) => (
            <g class="tl-lane-access">
              <Switch>
                <Match when={e().look === "replaced"}>
                  <line
                    class="tl-tail tl-tail-replaced"
                    x1={e().x}
                    x2={e().x + 14}
                    y1={y() - 4}
                    y2={y() - 4}
                  />
                </Match>
                <Match when={e().look === "group"}>
                  <rect class="tl-group" x={e().x} y={y() - 9} width="14" height="10" rx="5" />
                </Match>
                <Match when={true}>
                  <rect class={`tl-bar tl-${e().look}`} x={e().x} y={y() - 9} width="14" height="10" rx="2" />
                </Match>
              </Switch>
            </g>
          )}
        </Match>
      </Switch>
      <text class="tl-legend-text" x={props.entry.x + 18} y={y()}>
        {props.entry.words}
      </text>
    </g>
  );
}
