/**
 * Jest runs TypeScript through ts-jest. The schema validators (kubernetes-models and
 * @kubernetes-models/*) ship as ES modules only, so babel turns them into CommonJS for jest.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', diagnostics: false }],
    '^.+\\.js$': ['babel-jest', { plugins: ['@babel/plugin-transform-modules-commonjs'], babelrc: false, configFile: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(kubernetes-models|@kubernetes-models|is-cidr|cidr-regex)/)'],
  snapshotSerializers: ['<rootDir>/test/harness/mask-volatile-serializer.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/harness/temp-dir.ts'],
  resolver: '<rootDir>/test/harness/esm-resolver.js',
  // Examples import the package by its name, as consumer apps do (the packed-tarball test builds them against dist).
  moduleNameMapper: { '^cdk-scalable-ai$': '<rootDir>/lib/index.ts' },
  testTimeout: 120000,
  cacheDirectory: '<rootDir>/.jest-cache',
};
