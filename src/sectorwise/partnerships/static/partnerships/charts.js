// Renders every element with data-vega-spec="<id of a json_script element>" with vega-embed, as SVG
// (crisp, and readable by the browser tests). No network: the spec's data URL is a same-site static file.
(function () {
  "use strict";
  function render(element) {
    var source = document.getElementById(element.dataset.vegaSpec);
    if (!source || typeof vegaEmbed !== "function") { return; }
    var spec = JSON.parse(source.textContent);
    vegaEmbed(element, spec, { renderer: "svg", actions: false }).then(function () {
      element.dataset.rendered = "true";
    }).catch(function (error) {
      element.textContent = "The map could not be drawn: " + error.message;
      element.dataset.rendered = "error";
    });
  }
  document.querySelectorAll("[data-vega-spec]").forEach(render);
})();
