// Starts Swagger UI on the page served at /docs. It is a file of its own, not
// an inline script, so the page's Content-Security-Policy can allow scripts
// from this server only.
(function () {
  "use strict";

  // The filter box searches more than Swagger UI's own filter (tag and path):
  // also method, summary, operationId and description, ignoring case.
  function contains(value, q) {
    return typeof value === "string" && value.toLowerCase().indexOf(q) !== -1;
  }
  function opMatches(op, q) {
    if (!op || typeof op.get !== "function") {
      return false;
    }
    var o = op.get("operation");
    var fields = [op.get("path"), op.get("method")];
    if (o && typeof o.get === "function") {
      fields.push(o.get("summary"), o.get("operationId"), o.get("description"));
    }
    return fields.some(function (f) { return contains(f, q); });
  }
  function opsFilter(taggedOps, phrase) {
    var q = typeof phrase === "string" ? phrase.trim().toLowerCase() : "";
    if (!q) {
      return taggedOps;
    }
    return taggedOps.map(function (tagObj, tag) {
      if (contains(String(tag), q)) {
        return tagObj;
      }
      var ops = tagObj && typeof tagObj.get === "function" ? tagObj.get("operations") : null;
      if (!ops || typeof ops.filter !== "function") {
        return null;
      }
      var hits = ops.filter(function (op) { return opMatches(op, q); });
      return hits.size > 0 ? tagObj.set("operations", hits) : null;
    }).filter(function (tagObj) { return tagObj !== null; });
  }

  // "Try it out" calls the server that served this page: the contract's
  // servers list names a developer's address, which this page's
  // Content-Security-Policy would refuse anyway.
  function thisServer(json) {
    if (!json || typeof json !== "object") {
      return json;
    }
    var copy = Object.assign({}, json);
    copy.servers = [{ url: window.location.origin, description: "This server" }];
    return copy;
  }

  function ConsensoPlugin() {
    return {
      fn: { opsFilter: opsFilter },
      statePlugins: {
        spec: {
          wrapActions: {
            updateJsonSpec: function (orig) {
              return function (json) { return orig(thisServer(json)); };
            }
          }
        }
      }
    };
  }

  window.ui = window.SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    plugins: [ConsensoPlugin],
    deepLinking: true,
    filter: true,
    displayOperationId: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    persistAuthorization: false,
    validatorUrl: null
  });
})();
