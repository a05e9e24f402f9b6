import { Card } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { logoutAction } from '../actions';

export const metadata = { title: 'Log out' };

// Logging out changes state, so it is a POST (a GET link cannot log anyone out by surprise).
export default function LogoutPage() {
  return (
    <div className="mx-auto max-w-md">
      <Card title="Log out">
        <form action={logoutAction} className="space-y-4">
          <p className="text-slate-600">End your session on this server?</p>
          <SubmitButton pendingText="Logging out…">Log out</SubmitButton>
        </form>
      </Card>
    </div>
  );
}
