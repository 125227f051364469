/**
 * Jest resolver: the schema packages (kubernetes-models, @kubernetes-models/*) export only an
 * "import" condition, so resolve them (and their own imports) with it; everything else keeps
 * jest's CommonJS conditions. babel then turns the resolved ES modules into CommonJS.
 */
const ESM_ONLY = /^(kubernetes-models|@kubernetes-models\/[^/]+|is-cidr|cidr-regex)(\/|$)/;

module.exports = (request, options) => {
  if (ESM_ONLY.test(request)) {
    return options.defaultResolver(request, { ...options, conditions: ['import', 'default'] });
  }
  return options.defaultResolver(request, options);
};
