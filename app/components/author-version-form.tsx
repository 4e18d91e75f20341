// The fields of a strategy version: markets, parameters, changelog, and the code (typed, pasted or loaded from a .py file).
import { useRef, useState } from "react";
import { RESOLUTIONS } from "../../db/contracts/domain";
import { SelectField, SubmitButton, TextField } from "./forms";

export interface VersionValues {
  version: string;
  symbols: string;
  resolution: string;
  lookback: string;
  params: string;
  changelog: string;
  code: string;
}

export function VersionFields({ values, errors }: { values: VersionValues; errors: Record<string, string> }) {
  const codeRef = useRef<HTMLTextAreaElement>(null);
  const [loaded, setLoaded] = useState<string | null>(null);
  return (
    <div className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          name="version"
          label="Version"
          defaultValue={values.version}
          error={errors.version}
          help="Semver, greater than the last published version"
          required
        />
        <TextField
          name="symbols"
          label="Symbols"
          defaultValue={values.symbols}
          error={listError(errors, "symbols")}
          help="Comma separated, like BTC/USDT, ETH/USDT"
          required
        />
        <SelectField
          name="resolution"
          label="Resolution"
          defaultValue={values.resolution || "1h"}
          error={errors.resolution}
          options={RESOLUTIONS.map((r) => ({ value: r, label: r }))}
        />
        <TextField
          name="lookback"
          label="Lookback"
          type="number"
          min={10}
          max={5000}
          defaultValue={values.lookback}
          error={errors.lookback}
          help="Candles each run receives (10-5000)"
          required
        />
      </div>
      <TextField
        name="params"
        label="Parameters"
        defaultValue={values.params}
        error={errors.params}
        placeholder='{"fast": 10, "slow": 30}'
        help="Optional JSON object overriding the strategy's declared parameters"
        className="font-mono"
      />
      <div>
        <label htmlFor="field-code" className="block text-sm font-medium text-slate-800">
          Code
        </label>
        <textarea
          ref={codeRef}
          id="field-code"
          name="code"
          rows={18}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          defaultValue={values.code}
          aria-invalid={errors.code ? true : undefined}
          aria-describedby={errors.code ? "field-code-error" : undefined}
          className={`mt-1 block w-full rounded-md border bg-slate-950 px-3 py-2 font-mono text-[13px] leading-relaxed text-slate-100 shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500 ${errors.code ? "border-rose-400" : "border-slate-300"}`}
          placeholder={
            "from candlecast import Strategy, Signal\n\nclass MyStrategy(Strategy):\n    lookback = 50\n\n    def on_candle(self, candles, **kwargs):\n        return Signal.hold()"
          }
        />
        {errors.code ? (
          <p id="field-code-error" className="mt-1 text-sm text-rose-600">
            {errors.code}
          </p>
        ) : null}
        <div className="mt-2 flex flex-wrap items-center gap-3 text-sm">
          <label htmlFor="field-codeFile" className="text-slate-700">
            Upload a .py file
          </label>
          <input
            id="field-codeFile"
            name="codeFile"
            type="file"
            accept=".py,text/x-python"
            className="text-sm text-slate-600 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-200"
            onChange={async (e) => {
              const file = e.currentTarget.files?.[0];
              if (!file || !codeRef.current) return;
              codeRef.current.value = await file.text();
              setLoaded(file.name);
              // The textarea now holds the code: the file need not travel again.
              e.currentTarget.value = "";
            }}
          />
          {loaded ? <span className="text-slate-500">Loaded {loaded} into the editor.</span> : null}
        </div>
      </div>
      <TextField
        name="changelog"
        label="Changelog"
        defaultValue={values.changelog}
        error={errors.changelog}
        help="What changed, shown to subscribers"
      />
    </div>
  );
}

export function VersionButtons({ publishLabel }: { publishLabel: string }) {
  return (
    <div className="flex flex-wrap items-center gap-3">
      <SubmitButton name="intent" value="validate" variant="secondary" pendingLabel="Validating…">
        Validate
      </SubmitButton>
      <SubmitButton name="intent" value="publish" pendingLabel="Publishing…">
        {publishLabel}
      </SubmitButton>
    </div>
  );
}

/** The next minor version after `latest` (1.2.3 → 1.3.0), as the publish form's suggestion. */
export function nextVersion(latest: string | null | undefined): string {
  const m = latest ? /^(\d+)\.(\d+)\.(\d+)$/.exec(latest) : null;
  return m ? `${m[1]}.${Number(m[2]) + 1}.0` : "1.0.0";
}

/** The strategy's description: a plain textarea with the form fields' look. */
export function DescriptionField({
  defaultValue,
  error,
  rows = 3,
}: {
  defaultValue?: string;
  error?: string;
  rows?: number;
}) {
  return (
    <div>
      <label htmlFor="field-description" className="block text-sm font-medium text-slate-800">
        Description
      </label>
      <textarea
        id="field-description"
        name="description"
        rows={rows}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500"
      />
      {error ? <p className="mt-1 text-sm text-rose-600">{error}</p> : null}
    </div>
  );
}

/** The first message of a list field: the field's own, or the first of its items (tags.1...). */
export function listError(errors: Record<string, string>, name: string): string | undefined {
  return errors[name] ?? Object.entries(errors).find(([k]) => k.startsWith(`${name}.`))?.[1];
}
