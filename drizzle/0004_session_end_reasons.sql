-- Why a session ended (logout, signed out from another browser, password change, deactivation,
-- replaced by a new login), so that the browser holding its cookie can be told why it must log in
-- again (OWASP Session Management). NULL for sessions ended before this column existed.
ALTER TABLE "sessions" ADD COLUMN "ended_reason" text;
