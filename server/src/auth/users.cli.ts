import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { createDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { formatTable } from '../cli-table.ts';
import { checkPasswordRules } from './auth.service.ts';
import { hashPassword } from './secrets.ts';
import { revokeUserSessions } from './sessions.repository.ts';
import { findUserByEmail, insertUser, listUsers, updateUser } from './users.repository.ts';

// `pnpm cli users` and `pnpm cli users:set-password`: the way back in when the only admin forgot their
// password, and a look at who may sign in, from the machine the server runs on.

/** The first line of standard input: a password never goes on the command line, where `ps` and history see it. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('new password (12 characters at least), then Enter: ');
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  throw new Error('no password on standard input');
}

export function registerUserCommands(program: Command, loadConfig: () => AppConfig): void {
  const withDb = async <T>(fn: (db: Awaited<ReturnType<typeof createDatabase>>['db']) => Promise<T>) => {
    const config = loadConfig();
    const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrateToLatest(database.db);
      return await fn(database.db);
    } finally {
      await database.close();
    }
  };

  program
    .command('users')
    .description('list who may sign in')
    .action(async () => {
      await withDb(async (db) => {
        const users = await listUsers(db);
        if (users.length === 0) {
          console.log(
            'no users yet: open the dashboard to create the first admin, or use users:set-password --admin',
          );
          return;
        }
        console.log(
          formatTable(
            ['email', 'role', 'state'],
            users.map((u) => [
              u.email,
              u.role,
              u.disabled_at ? 'disabled' : u.has_password ? 'active' : 'invited, no password yet',
            ]),
          ),
        );
      });
    });

  program
    .command('users:set-password')
    .description("set a user's password, read from standard input, and end their sessions")
    .argument('<email>')
    .option('--admin', 'create the user as an admin if there is none with this email, or make them admin')
    .action(async (email: string, opts: { admin?: boolean }) => {
      const password = await readPassword();
      checkPasswordRules(password);
      const passwordHash = await hashPassword(password);
      await withDb(async (db) => {
        const existing = await findUserByEmail(db, email);
        if (!existing) {
          if (!opts.admin) throw new Error(`no user ${email} (add --admin to create one as an admin)`);
          await insertUser(db, { email, displayName: null, role: 'admin', passwordHash });
          console.log(`created admin ${email}`);
          return;
        }
        await updateUser(db, existing.id, {
          passwordHash,
          ...(opts.admin ? { role: 'admin' as const, disabled: false } : {}),
        });
        const ended = await revokeUserSessions(db, existing.id);
        console.log(
          `set the password of ${existing.email}${opts.admin ? ' (admin)' : ''}; ended ${ended} sessions`,
        );
      });
    });
}
