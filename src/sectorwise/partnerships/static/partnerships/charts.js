// Renders every element with data-vega-spec="<id of a json_script element>" with vega-embed, as SVG
// (crisp, and readable by the browser tests). No network: the spec's data URL is a same-site static file.
(function () {
  "use strict";
  function render(element) {
    var source = document.getElementById(element.dataset.vegaSpec);
    if (!source || typeof vegaEmbed !== "function") { return; }
    var spec = JSON.parse(source.textContent);
    // The Content-Security-Policy allows no eval and no injected <style>: `ast` makes Vega interpret its
    // expressions (vega-embed's bundled vega-interpreter) instead of compiling them with `new Function`, and
    // the tooltip and embed styles live in core/sectorwise.css instead.
    var options = {
      renderer: "svg", actions: false, ast: true, defaultStyle: false,
      tooltip: { disableDefaultStyle: true }
    };
    vegaEmbed(element, spec, options).then(function () {
      element.dataset.rendered = "true";
    }).catch(function (error) {
      element.textContent = "The map could not be drawn: " + error.message;
      element.dataset.rendered = "error";
    });
  }
  document.querySelectorAll("[data-vega-spec]").forEach(render);
  // Charts that arrive in an htmx swap (the ranking's results when a weight moves) are drawn too.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    event.target.querySelectorAll("[data-vega-spec]:not([data-rendered])").forEach(render);
  });
})();
