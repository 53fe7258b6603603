// ESLint for the browser code (static/js/src): `npm run lint`, run by scripts/test.
// Types are checked apart, by TypeScript over the JSDoc (jsconfig.json).

import js from "@eslint/js";
import globals from "globals";

// Nothing here turns a string into markup or code: text goes into the page as
// text nodes (static/js/src/public/dom.js), and the CSP allows no eval.
const NO_MARKUP_FROM_STRINGS = [
  "innerHTML",
  "outerHTML",
  "insertAdjacentHTML",
  "write",
  "writeln",
  "createContextualFragment",
].map((property) => ({
  selector: `MemberExpression[property.name="${property}"]`,
  message: `${property} turns a string into markup; build nodes with el() and set text as text.`,
}));

export default [
  {
    ignores: ["static/dist/", "node_modules/", ".venv/"],
  },
  {
    linterOptions: {
      reportUnusedDisableDirectives: "error",
    },
  },
  js.configs.recommended,
  {
    files: ["static/js/src/**/*.js"],
    languageOptions: {
      // esbuild lowers the syntax to ES2020 (package.json); jsconfig.json
      // holds the library to ES2020 too, so no newer built-in slips in.
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      "array-callback-return": "error",
      curly: ["error", "multi-line"],
      "default-param-last": "error",
      eqeqeq: ["error", "always"],
      "no-alert": "error",
      "no-console": "error",
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-new-wrappers": "error",
      "no-param-reassign": ["error", { props: false }],
      "no-promise-executor-return": "error",
      "no-restricted-syntax": ["error", ...NO_MARKUP_FROM_STRINGS],
      "no-return-assign": "error",
      "no-script-url": "error",
      "no-self-compare": "error",
      "no-shadow": ["error", { hoist: "functions" }],
      "no-template-curly-in-string": "error",
      "no-throw-literal": "error",
      "no-unmodified-loop-condition": "error",
      "no-unused-expressions": "error",
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "all" }],
      "no-use-before-define": ["error", { functions: false, classes: true, variables: true }],
      "no-useless-concat": "error",
      "no-useless-return": "error",
      "no-var": "error",
      "object-shorthand": ["error", "always"],
      "prefer-const": "error",
      "prefer-promise-reject-errors": "error",
      "prefer-rest-params": "error",
      "prefer-spread": "error",
      radix: "error",
      strict: ["error", "never"],
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: {
      sourceType: "module",
      globals: { ...globals.node },
    },
  },
];
