// The application page's usage section (issue 17): its charts over 7, 30 or 90 days (?days=).
// The page has loaded the application through getApplication, which checked the viewer is its
// owner or staff.
import { Card } from '@/app/_components/ui';
import { UsageCharts } from '@/app/_components/usage/usage-charts';
import { applicationPath } from '@/lib/apps/add-callback';
import { applicationUsage, type UsagePeriod } from '@/lib/usage';

export async function UsageSection({ app, days }: { app: { id: number }; days: UsagePeriod }) {
  const report = await applicationUsage(app, days);
  return (
    <div id="usage" className="scroll-mt-4" data-testid="usage-section">
      <Card title="Usage">
        <UsageCharts report={report} href={(d) => `${applicationPath(app.id)}?days=${d}#usage`} />
      </Card>
    </div>
  );
}
