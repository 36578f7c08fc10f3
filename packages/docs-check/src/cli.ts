// pnpm --filter @smol/docs-check run check: the report, without running snippets (pnpm test runs them).
import { checkDocs, formatReport } from './check.ts';

const report = checkDocs();
process.stdout.write(formatReport(report) + '\n');
process.exitCode = report.diagnostics.some((d) => !d.pendingRename) || report.links.length > 0 ? 1 : 0;
