/**
 * Medians, ratios, targets, and the three outputs: the stdout table, `RESULTS.md`, the raw JSON.
 */
import type { ChildResult, Mode } from "./common.js"
import { median } from "./common.js"
import type { Metric, Scenario } from "./scenarios.js"
import { metrics } from "./scenarios.js"

export interface Machine {
  readonly cores: number
  readonly cpu: string
  readonly node: string
  readonly platform: string
  readonly memGB: number
  readonly loadavg: ReadonlyArray<number>
  /** which state of packages/core/src was measured */
  readonly core?: string | undefined
  readonly versions: Record<string, string>
}

export interface RowResult {
  readonly id: string
  readonly label: string
  /** median over the repetitions, per metric */
  readonly medians: Record<string, number>
  /** median ÷ baseline median, per metric */
  readonly ratios: Record<string, number>
  /** min and max over the repetitions, per metric */
  readonly spread: Record<string, readonly [number, number]>
  readonly samples: ReadonlyArray<ChildResult>
  readonly errors: ReadonlyArray<string>
}

export interface TargetResult {
  readonly text: string
  readonly row: string
  readonly metric: string
  readonly value: number
  readonly ratio: number
  readonly limit: string
  readonly met: boolean | undefined
}

export interface ScenarioResult {
  readonly id: string
  readonly title: string
  readonly kind: string
  readonly params: unknown
  readonly reps: number
  readonly baseline: string
  readonly note: string | undefined
  readonly rows: ReadonlyArray<RowResult>
  readonly targets: ReadonlyArray<TargetResult>
  readonly durationS: number
}

export interface Run {
  readonly mode: Mode
  readonly date: string
  readonly durationS: number
  readonly partial: boolean
  readonly machine: Machine
  readonly scenarios: ReadonlyArray<ScenarioResult>
}

export const metricsOf = (scenario: { readonly kind: string }): ReadonlyArray<Metric> =>
  metrics[scenario.kind as keyof typeof metrics]

export const summarize = (
  scenario: Scenario,
  mode: Mode,
  reps: number,
  samples: Record<string, ReadonlyArray<ChildResult>>,
  errors: Record<string, ReadonlyArray<string>>,
  durationMs: number
): ScenarioResult => {
  const keys = metricsOf(scenario).map((m) => m.key)
  const mediansOf = (id: string) =>
    Object.fromEntries(keys.map((k) => [k, median((samples[id] ?? []).map((s) => s.metrics[k]))]))
  const baseline = mediansOf(scenario.baseline)
  const rows: Array<RowResult> = scenario.rows.map((row) => {
    const medians = mediansOf(row.id)
    const values = (k: string) => (samples[row.id] ?? []).map((s) => s.metrics[k])
    return {
      id: row.id,
      label: row.label,
      medians,
      ratios: Object.fromEntries(keys.map((k) => [k, medians[k] / baseline[k]])),
      spread: Object.fromEntries(keys.map((k) => [k, [Math.min(...values(k)), Math.max(...values(k))] as const])),
      samples: samples[row.id] ?? [],
      errors: errors[row.id] ?? []
    }
  })
  const targets: Array<TargetResult> = (scenario.targets ?? []).map((target) => {
    const row = rows.find((r) => r.id === target.row)
    const value = row?.medians[target.metric] ?? NaN
    const versus = target.versus === undefined ? undefined : rows.find((r) => r.id === target.versus)
    const ratio = target.versus === undefined
      ? row?.ratios[target.metric] ?? NaN
      : value / (versus?.medians[target.metric] ?? NaN)
    const metric = metricsOf(scenario).find((m) => m.key === target.metric)!
    const met = target.maxRatio !== undefined
      ? Number.isNaN(ratio) ? undefined : ratio <= target.maxRatio
      : target.maxValue !== undefined
      ? Number.isNaN(value) ? undefined : value <= target.maxValue
      : undefined
    return {
      text: target.text,
      row: target.row,
      metric: target.metric,
      value,
      ratio,
      limit: target.maxRatio !== undefined
        ? `≤ ${target.maxRatio}×${target.versus === undefined ? "" : ` ${target.versus}`}`
        : target.maxValue !== undefined
        ? `≤ ${metric.format(target.maxValue)}`
        : "",
      met
    }
  })
  return {
    id: scenario.id,
    title: scenario.title,
    kind: scenario.kind,
    params: scenario.params[mode],
    reps,
    baseline: scenario.baseline,
    note: scenario.note,
    rows,
    targets,
    durationS: durationMs / 1000
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// formatting
// ---------------------------------------------------------------------------------------------------------------------

const ratio = (r: number): string => Number.isFinite(r) ? `${r.toFixed(2)}×` : "—"
const value = (m: Metric, v: number): string => Number.isFinite(v) ? m.format(v) : "—"
const verdict = (met: boolean | undefined): string => met === undefined ? "n/a" : met ? "met" : "MISSED"

const targetCell = (scenario: ScenarioResult, row: RowResult): string =>
  scenario.targets
    .filter((t) => t.row === row.id)
    .map((t) =>
      `${t.limit}${t.limit.endsWith("×") ? " " + t.metric.replace(/([A-Z])/g, " $1").toLowerCase() : ""}: ${
        verdict(t.met)
      }`
    )
    .join("; ")

const header = (scenario: ScenarioResult): Array<string> => [
  "client",
  ...metricsOf(scenario).flatMap((m) => [m.label, "× raw ws"]),
  "target"
]

const cells = (scenario: ScenarioResult, row: RowResult): Array<string> => [
  row.errors.length > 0 && row.samples.length === 0 ? `${row.label} (FAILED)` : row.label,
  ...metricsOf(scenario).flatMap((m) => [value(m, row.medians[m.key]), ratio(row.ratios[m.key])]),
  targetCell(scenario, row)
]

const machineLine = (run: Run): string =>
  `${run.machine.cores} cores (${run.machine.cpu}), Node ${run.machine.node}, ${run.machine.platform}, ` +
  `${run.machine.memGB} GB RAM, load average at start ${run.machine.loadavg.join(" / ")}`

const paramsLine = (scenario: ScenarioResult): string =>
  `${
    Object.entries(scenario.params as Record<string, unknown>)
      .filter(([k]) => k !== "consumer")
      .map(([k, v]) => `${k} ${Array.isArray(v) ? v.length : v ?? "—"}`)
      .join(", ")
  }; median of ${scenario.reps} run${scenario.reps === 1 ? "" : "s"}, each in a fresh process`

const allTargets = (run: Run) => run.scenarios.flatMap((s) => s.targets.map((t) => ({ scenario: s, target: t })))

const measured = (scenario: ScenarioResult, t: TargetResult): string => {
  const metric = metricsOf(scenario).find((m) => m.key === t.metric)!
  return t.limit.endsWith("×")
    ? `${ratio(t.ratio)} (${value(metric, t.value)})`
    : value(metric, t.value)
}

export const text = (run: Run): string => {
  const out: Array<string> = []
  out.push(`zen-websocket bench — ${run.mode} mode — ${run.date} — ${run.durationS.toFixed(0)} s`)
  out.push(machineLine(run))
  if (run.machine.core !== undefined) out.push(`packages/core/src: ${run.machine.core}`)
  for (const scenario of run.scenarios) {
    out.push("", `${scenario.title}  [${scenario.id}]`, `  ${paramsLine(scenario)}`)
    const table = [header(scenario), ...scenario.rows.map((row) => cells(scenario, row))]
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)))
    for (const r of table) {
      out.push("  " + r.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  "))
    }
  }
  const targets = allTargets(run)
  if (targets.length > 0) {
    out.push("", "Targets")
    for (const { scenario, target } of targets) {
      out.push(
        `  ${verdict(target.met).padEnd(6)} ${scenario.id.padEnd(18)} ${target.text}: ${measured(scenario, target)}`
      )
    }
  }
  return out.join("\n")
}

const mdRow = (cells: ReadonlyArray<string>): string => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`

const markdownOf = (run: Run): Array<string> => {
  const out: Array<string> = []
  out.push(`## ${run.mode === "full" ? "Full" : "Quick"} run — ${run.date.slice(0, 16).replace("T", " ")} UTC`)
  out.push("", `Machine: ${machineLine(run)}.  `)
  out.push(
    `Versions: ${Object.entries(run.machine.versions).map(([k, v]) => `${k} ${v}`).join(", ")}.  `,
    ...(run.machine.core === undefined ? [] : [`packages/core/src: ${run.machine.core}.  `]),
    `Mode: ${run.mode} (\`pnpm bench${run.mode === "full" ? " --full" : ""}\`), ${run.durationS.toFixed(0)} s in all.`
  )
  const targets = allTargets(run)
  if (targets.length > 0) {
    out.push(
      "",
      "### Targets",
      "",
      mdRow(["target", "scenario", "measured", "limit", "result"]),
      mdRow(["---", "---", "---:", "---:", "---"])
    )
    for (const { scenario, target } of targets) {
      out.push(mdRow([target.text, scenario.id, measured(scenario, target), target.limit, verdict(target.met)]))
    }
  }
  for (const scenario of run.scenarios) {
    out.push("", `### ${scenario.title}`, "", `\`${scenario.id}\`: ${paramsLine(scenario)}.`, "")
    const head = header(scenario)
    out.push(mdRow(head), mdRow(head.map((_, i) => i === 0 || i === head.length - 1 ? "---" : "---:")))
    for (const row of scenario.rows) out.push(mdRow(cells(scenario, row)))
    if (scenario.note !== undefined) out.push("", scenario.note)
    const failed = scenario.rows.filter((r) => r.errors.length > 0)
    for (const row of failed) out.push("", `Failures of ${row.id}: ${row.errors.join("; ")}`)
  }
  return out
}

/** `RESULTS.md`: the latest full run (if any) and the latest quick run (if any). */
export const markdown = (runs: ReadonlyArray<Run>): string => {
  const out: Array<string> = [
    "# zen-websocket benchmarks",
    "",
    "Generated by `pnpm bench` (quick) and `pnpm bench --full` (`packages/bench`); raw figures in `results/latest*.json`.",
    "Every figure of a table was measured in the same run, each client in a fresh child process with a warm-up, the",
    "server in a separate process on 127.0.0.1; the ratio column is the client's median divided by raw `ws`'s median",
    "(absolute numbers drift on a shared machine, ratios much less). Lower is better except for the `/s` columns."
  ]
  for (const run of runs) out.push("", ...markdownOf(run))
  return out.join("\n") + "\n"
}
