// /admin/'s usage section (issue 17): the charts across applications, with logins, failed logins
// and rate-limit hits, and the applications with the most tokens issued in the period.
import Link from 'next/link';
import { Card } from '@/app/_components/ui';
import { UsageCharts } from '@/app/_components/usage/usage-charts';
import { staffUsage, type UsagePeriod } from '@/lib/usage';
import { orNotFound } from '../_lib/actor';

export async function UsageOverview({ actor, days }: { actor: { id: string }; days: UsagePeriod }) {
  const report = await orNotFound(staffUsage(actor, days));
  return (
    <div id="usage" className="scroll-mt-4" data-testid="usage-section">
      <Card title="Usage across applications">
        <UsageCharts report={report} href={(d) => `/admin/?days=${d}#usage`} />
        <section aria-labelledby="top-apps-title" className="mt-4 rounded-lg border border-slate-200 p-4" data-testid="usage-top-apps">
          <h3 id="top-apps-title" className="font-semibold text-slate-900">
            Top applications by tokens issued
          </h3>
          {report.top.length === 0 ? (
            <p className="mt-2 text-sm text-slate-500">No tokens issued in the last {report.days} days.</p>
          ) : (
            <div className="mt-2 overflow-x-auto">
              <table className="w-full text-left text-sm">
                <caption className="mb-1 text-left text-slate-600">
                  Applications with the most tokens issued in the last {report.days} days, most first
                </caption>
                <thead>
                  <tr className="border-b border-slate-200">
                    <th scope="col" className="py-1 pr-3 font-medium">
                      Application
                    </th>
                    <th scope="col" className="py-1 text-right font-medium">
                      Tokens issued
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.top.map((t) => (
                    <tr key={t.applicationId} className="border-b border-slate-100">
                      <th scope="row" className="py-1 pr-3 font-normal">
                        {t.name === null ? (
                          <span className="text-slate-500">Deleted application #{t.applicationId}</span>
                        ) : (
                          <Link href={`/admin/applications/${t.applicationId}/`} className="break-all text-indigo-700 hover:underline">
                            {t.name}
                          </Link>
                        )}
                      </th>
                      <td className="py-1 text-right tabular-nums">{t.count.toLocaleString('en-US')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </Card>
    </div>
  );
}
