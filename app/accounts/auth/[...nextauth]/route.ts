export { GET, HEAD, POST } from '@/lib/auth/handlers';
