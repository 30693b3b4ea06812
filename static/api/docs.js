// Starts Swagger UI on the API documentation page: a file, not an inline script (the portal's
// Content-Security-Policy allows scripts from its own origin only). The page's session signs
// "Try it out" requests in; writes carry the CSRF token the page was given.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") { return; }
  SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      request.headers["X-CSRFToken"] = root.dataset.csrfToken;
      return request;
    }
  });
}());
