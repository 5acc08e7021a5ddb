// The register's tables, sortable and filterable (ml-lifecycle portfolio).
// A table inside <div class="register-table" data-filters="1 2 3"> gets a
// sort button in each heading and a list of values for each column named in
// data-filters. Without this script the tables are whole, and the grouped
// pages stand in for the filters.
(function () {
  "use strict";

  var NUMBER = /^-?\d+(\.\d+)?$/;

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function compare(first, second) {
    if (NUMBER.test(first) && NUMBER.test(second)) {
      return parseFloat(first) - parseFloat(second);
    }
    return first.localeCompare(second, undefined, { sensitivity: "base", numeric: true });
  }

  function bodyRows(table) {
    return Array.prototype.slice.call(table.tBodies[0].rows);
  }

  function sortBy(table, headers, index) {
    var heading = headers[index];
    var ascending = heading.getAttribute("aria-sort") !== "ascending";
    headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = bodyRows(table);
    rows.sort(function (first, second) {
      var order = compare(cellText(first, index), cellText(second, index));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
  }

  function makeSortable(table) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (heading, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "register-sort";
      button.textContent = heading.textContent.trim();
      button.title = "Sort by " + button.textContent;
      heading.textContent = "";
      heading.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, headers, index); });
    });
  }

  function filterList(table, index, title, onChange) {
    var values = {};
    bodyRows(table).forEach(function (row) { values[cellText(row, index)] = true; });
    var label = document.createElement("label");
    label.appendChild(document.createTextNode(title));
    var select = document.createElement("select");
    select.setAttribute("data-column", String(index));
    var all = document.createElement("option");
    all.value = "";
    all.textContent = "All";
    select.appendChild(all);
    Object.keys(values).sort(compare).forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      select.appendChild(option);
    });
    select.addEventListener("change", onChange);
    label.appendChild(select);
    return label;
  }

  function addFilters(holder, table) {
    var columns = (holder.getAttribute("data-filters") || "").split(/\s+/).filter(Boolean);
    if (!columns.length) { return; }
    var headers = table.tHead.rows[0].cells;
    var bar = document.createElement("div");
    bar.className = "register-filters";
    var count = document.createElement("p");
    count.className = "register-count";
    count.setAttribute("aria-live", "polite");
    var lists = [];

    function apply() {
      var shown = 0;
      var rows = bodyRows(table);
      rows.forEach(function (row) {
        var keep = lists.every(function (select) {
          return !select.value || cellText(row, Number(select.getAttribute("data-column"))) === select.value;
        });
        row.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      count.textContent = "Showing " + shown + " of " + rows.length + ".";
    }

    columns.forEach(function (column) {
      var index = Number(column);
      if (!headers[index]) { return; }
      var label = filterList(table, index, headers[index].textContent.trim(), apply);
      lists.push(label.querySelector("select"));
      bar.appendChild(label);
    });
    bar.appendChild(count);
    holder.insertBefore(bar, holder.firstChild);
    apply();
  }

  function enhance() {
    Array.prototype.forEach.call(document.querySelectorAll(".register-table"), function (holder) {
      var table = holder.querySelector("table");
      if (holder.hasAttribute("data-enhanced") || !table || !table.tHead || !table.tBodies.length) {
        return;
      }
      holder.setAttribute("data-enhanced", "");
      addFilters(holder, table);
      makeSortable(table);
    });
  }

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(enhance);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
