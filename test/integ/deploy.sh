#!/usr/bin/env bash
# Deploys one integration test app (or all), lets its assertions run, and destroys it whatever
# happened. Needs AWS credentials of a bootstrapped account: `npm run integ:deploy -- [name]`.
# The assertions fail the deployment when they do not hold (waitForAssertions, kubectl get).
set -uo pipefail
cd "$(dirname "$0")/../.."
npx tsc -p tsconfig.integ.json || exit 1
# The compiled apps read cdk.json and the test CA relative to themselves.
mkdir -p dist/test/examples && cp cdk.json dist/ && cp test/examples/test-ca.pem dist/test/examples/
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(reference-platform llm-serving-scale-to-zero streaming-features sagemaker-endpoint hybrid-burst)
status=0
for name in "${names[@]}"; do
  app="node dist/test/integ/integ.${name}.js"
  npx cdk deploy --app "$app" '**' --require-approval never || { echo "FAILED: integ.${name}"; status=1; }
  npx cdk destroy --app "$app" '**' --force || { echo "DESTROY FAILED: integ.${name}"; status=1; }
done
exit $status
