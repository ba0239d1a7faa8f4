/* pillcmp report: sort a table by a column (click its header); fold the table of contents on a
   narrow screen. Without JavaScript the tables are plain tables in the order the report wrote
   them, and the contents stay open. */
(function () {
  "use strict";

  var contents = document.querySelector(".toc details");
  if (contents && window.matchMedia && !window.matchMedia("(min-width: 64rem)").matches) {
    contents.removeAttribute("open");
  }

  function cellKey(cell) {
    if (!cell) {
      return "";
    }
    var value = cell.getAttribute("data-sort");
    return value !== null ? value : cell.textContent.trim();
  }

  function asNumber(text) {
    var t = text.replace("\u2212", "-").replace("%", "");
    if (!/^[-+]?(\d|\.\d)/.test(t)) {
      return NaN;
    }
    return parseFloat(t);
  }

  function sortBy(table, column, th) {
    var body = table.tBodies[0];
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var entries = Array.prototype.map.call(body.rows, function (row, index) {
      return { row: row, index: index, key: cellKey(row.cells[column]) };
    });
    var numeric = entries.every(function (e) {
      return e.key === "" || e.key === "n/a" || !isNaN(asNumber(e.key));
    });
    entries.sort(function (a, b) {
      var order;
      if (numeric) {
        var x = asNumber(a.key);
        var y = asNumber(b.key);
        if (isNaN(x) || isNaN(y)) {
          if (isNaN(x) && isNaN(y)) {
            return a.index - b.index;
          }
          return isNaN(x) ? 1 : -1; /* n/a last, either way */
        }
        order = x - y;
      } else {
        order = a.key.localeCompare(b.key, undefined, { numeric: true });
      }
      if (order === 0) {
        return a.index - b.index;
      }
      return ascending ? order : -order;
    });
    entries.forEach(function (e) {
      body.appendChild(e.row);
    });
    Array.prototype.forEach.call(th.parentNode.cells, function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tBodies.length || table.tBodies[0].rows.length < 2) {
      return;
    }
    var label = table.getAttribute("data-sort-label") || "";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.title = label;
      while (th.firstChild) {
        button.appendChild(th.firstChild);
      }
      th.appendChild(button);
      button.addEventListener("click", function () {
        sortBy(table, column, th);
      });
    });
  });
})();
