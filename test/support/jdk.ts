/**
 * Finds a JDK for tests that compile Java fixtures at test time: javac from JAVA_HOME, else from PATH,
 * and the java next to it, so both come from the same JDK. A missing JDK fails the test (never skips it)
 * with a message saying what to install.
 */
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `purpose` names the test in the error, e.g. 'codec golden tests need'. */
export function findJdk(purpose: string): { javac: string; java: string } {
  const candidates: string[] = [];
  const home = process.env['JAVA_HOME'];
  if (home) candidates.push(join(home, 'bin', 'javac'));
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'javac'));
  const javac = candidates.find(executable);
  if (javac === undefined) {
    throw new Error(
      `${purpose} a JDK: javac was not found on PATH or in JAVA_HOME. ` +
        'Install one (Debian/Ubuntu: apt-get install default-jdk-headless) and run again.',
    );
  }
  const sibling = join(dirname(realpathSync(javac)), 'java');
  return { javac, java: executable(sibling) ? sibling : 'java' };
}
