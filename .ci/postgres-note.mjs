// After `pnpm test`: say, in one line, whether the PostgreSQL half of the suite ran, and how to run it.
if (process.env.SKILLS_TEST_PG_URL) {
  console.log(`PostgreSQL tests ran against ${process.env.SKILLS_TEST_PG_URL.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')}.`);
} else {
  console.log(
    'PostgreSQL tests were skipped (SKILLS_TEST_PG_URL is not set): to run them too, SKILLS_TEST_PG_URL=postgres://user@127.0.0.1:5432/db npx --yes pnpm@10.34.9 test (each test uses a schema of its own).',
  );
}
