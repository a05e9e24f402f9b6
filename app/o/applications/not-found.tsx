import Link from 'next/link';
import { Card } from '@/app/_components/ui';

export default function ApplicationNotFound() {
  return (
    <div className="mx-auto max-w-lg">
      <Card title="Application not found" titleAs="h1">
        <p className="text-slate-600">There is no application here, or it is not yours.</p>
        <Link href="/o/applications/" className="mt-4 inline-block font-medium text-indigo-700 hover:underline">
          Back to your applications
        </Link>
      </Card>
    </div>
  );
}
