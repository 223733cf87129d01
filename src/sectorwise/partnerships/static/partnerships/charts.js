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
    vegaEmbed(element, spec, options).then(function (result) {
      if (element.dataset.pickCounties) { pickCounties(element, result.view); }
      element.dataset.rendered = "true";
    }).catch(function (error) {
      element.textContent = "The map could not be drawn: " + error.message;
      element.dataset.rendered = "error";
    });
  }
  // A county map with data-pick-counties="<id of a <select multiple>>": clicking a county toggles it in that
  // selection (starting from data-region-counties, the counties shown, when nothing is selected yet) and
  // submits the select's form, as the form's own button does. The select stays the keyboard/no-JS control.
  function pickCounties(element, view) {
    var select = document.getElementById(element.dataset.pickCounties);
    if (!select || !select.form) { return; }
    view.addEventListener("click", function (event, item) {
      var county = item && item.datum && item.datum.id;
      if (!county) { return; }
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === String(county); });
      if (!option) { return; }
      var selected = Array.prototype.filter.call(select.options, function (o) { return o.selected; });
      if (!selected.length && element.dataset.regionCounties) {
        var members = element.dataset.regionCounties.split(",");
        Array.prototype.forEach.call(select.options, function (o) { o.selected = members.indexOf(o.value) >= 0; });
      }
      option.selected = !option.selected;
      if (!Array.prototype.some.call(select.options, function (o) { return o.selected; })) { return; }
      var region = select.form.elements.namedItem("region");
      if (region && "value" in region) { region.value = ""; }
      element.dataset.picked = String(county);
      if (typeof select.form.requestSubmit === "function") { select.form.requestSubmit(); } else { select.form.submit(); }
    });
  }
  document.querySelectorAll("[data-vega-spec]").forEach(render);
  // Charts that arrive in an htmx swap (the ranking's results when a weight moves) are drawn too.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    event.target.querySelectorAll("[data-vega-spec]:not([data-rendered])").forEach(render);
  });
})();
