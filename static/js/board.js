// The pipeline board: move a deal by dragging its card to another stage column, or from the keyboard
// (focus a card, pick a stage with ← / →, press Enter; Escape cancels). Every move is a POST to the
// board's move endpoint (the same transition service and gates as the "Move to…" forms, which stay as
// the no-JavaScript fallback and are sent the same way here). No page reload, so the scroll position
// stays. A refused move puts the card back where it was and lists every unmet criterion on it; a deal
// changed by someone else meanwhile (409) says so and offers a reload.
// Native HTML5 drag and drop: only column-to-column moves are needed (the order inside a column is
// the expected close date), so no library; no inline script (Content-Security-Policy).
(function () {
  "use strict";

  var board, status, dragged, keyTarget;

  function cardsBox(column) { return column.querySelector("[data-cards]"); }
  function columns() { return Array.prototype.slice.call(board.querySelectorAll("section[data-stage-id]")); }
  function columnOf(card) { return card.closest("section[data-stage-id]"); }
  function columnById(id) { return board.querySelector('section[data-stage-id="' + id + '"]'); }

  function announce(text) {
    if (status) { status.textContent = ""; status.textContent = text; }
  }

  function placeSorted(card, column) {
    // Insert where the board puts it: soonest expected close first, deals without a date last.
    var box = cardsBox(column), close = card.getAttribute("data-close") || "";
    var others = box.querySelectorAll(".deal-card");
    for (var i = 0; i < others.length; i++) {
      var other = others[i], otherClose = other.getAttribute("data-close") || "";
      if (other !== card && close && (!otherClose || otherClose > close)) {
        box.insertBefore(card, other);
        return;
      }
    }
    box.appendChild(card);
  }

  function feedback(card, className, title, items, reload) {
    var box = card.querySelector("[data-feedback]");
    if (!box) { return; }
    box.textContent = "";
    if (!title) { return; }
    var note = document.createElement("div");
    note.className = className;
    note.setAttribute("role", "alert");
    var head = document.createElement("p");
    head.textContent = title;
    note.appendChild(head);
    if (items && items.length) {
      var list = document.createElement("ul");
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = item.message;
        li.setAttribute("data-unmet", item.code);
        list.appendChild(li);
      });
      note.appendChild(list);
    }
    if (reload) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = board.getAttribute("data-reload-text");
      button.addEventListener("click", function () { window.location.reload(); });
      note.appendChild(button);
    }
    box.appendChild(note);
  }

  function token(card) {
    var input = card.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function move(card, column, reason) {
    var origin = columnOf(card), after = card.nextElementSibling, hadFocus = card.contains(document.activeElement);
    if (!column || column === origin || card.classList.contains("moving")) { return; }
    feedback(card, "", "");
    placeSorted(card, column);  // optimistic: put back if the move is refused
    card.classList.add("moving");
    if (hadFocus) { card.focus(); }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token(card));
    body.append("stage", column.getAttribute("data-stage-id"));
    body.append("version", card.getAttribute("data-version"));
    body.append("reason", reason || "");
    var query = board.getAttribute("data-query");
    fetch(card.getAttribute("data-move-url") + (query ? "?" + query : ""), {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": token(card), "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (data) { return {status: response.status, data: data}; });
    }).then(function (result) {
      var data = result.data;
      if (data.ok) {
        var holder = document.createElement("template");
        holder.innerHTML = data.card.trim();
        var fresh = holder.content.firstElementChild;
        card.replaceWith(fresh);
        Object.keys(data.columns).forEach(function (code) {
          var totals = board.querySelector('section[data-stage="' + code + '"] [data-totals]');
          if (totals) { totals.innerHTML = data.columns[code].totals; }
        });
        announce(data.message);
        if (hadFocus) { fresh.focus(); }
        return;
      }
      throw data;
    }).catch(function (data) {
      card.classList.remove("moving");
      if (!data || !data.kind) { data = null; }  // not the endpoint's answer (network, login page, ...)
      cardsBox(origin).insertBefore(card, after && after.parentNode === cardsBox(origin) ? after : null);
      if (hadFocus) { card.focus(); }
      var message = (data && data.message) || board.getAttribute("data-error-text");
      feedback(card, data && data.kind === "conflict" ? "msg-conflict" : "msg-refused", message,
               data && data.unmet, data && data.kind === "conflict");
      announce(message + " " + ((data && data.unmet) || []).map(function (item) { return item.message; }).join(" "));
    });
  }

  function clearKeyTarget() {
    columns().forEach(function (column) { column.classList.remove("drop-target"); });
    keyTarget = null;
  }

  function start() {
    board = document.querySelector("[data-board]");
    if (!board) { return; }
    status = document.querySelector("[data-board-status]");

    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest && event.target.closest(".deal-card");
      if (!card) { return; }
      dragged = card;
      card.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("data-opportunity"));
    });
    board.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("dragging"); }
      dragged = null;
      clearKeyTarget();
    });
    board.addEventListener("dragover", function (event) {
      var column = event.target.closest("section[data-stage-id]");
      if (!dragged || !column) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      columns().forEach(function (other) { other.classList.toggle("drop-target", other === column); });
    });
    board.addEventListener("drop", function (event) {
      var column = event.target.closest("section[data-stage-id]");
      if (!dragged || !column) { return; }
      event.preventDefault();
      var card = dragged;
      dragged.classList.remove("dragging");
      dragged = null;
      clearKeyTarget();
      move(card, column);
    });

    // The "Move to…" and "Other move…" forms: sent without a reload when JavaScript runs.
    board.addEventListener("submit", function (event) {
      var form = event.target, card = form.closest(".deal-card");
      if (!card || !form.classList.contains("move-form")) { return; }
      var submitter = event.submitter, select = form.querySelector("select[name=stage]");
      var stage = submitter && submitter.name === "stage" ? submitter.value : (select ? select.value : "");
      var column = columnById(stage), reason = form.querySelector("input[name=reason]");
      if (!column) { return; }  // a stage not on this board: the plain form post
      event.preventDefault();
      move(card, column, reason ? reason.value : "");
    });

    // Keyboard: ← / → choose a stage (announced), Enter moves there, Escape cancels.
    board.addEventListener("keydown", function (event) {
      var card = event.target;
      if (!card.classList || !card.classList.contains("deal-card")) { return; }
      var all = columns(), here = all.indexOf(columnOf(card));
      var index = keyTarget ? all.indexOf(keyTarget) : here;
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        index = Math.max(0, Math.min(all.length - 1, index + (event.key === "ArrowRight" ? 1 : -1)));
        clearKeyTarget();
        if (index !== here) {
          keyTarget = all[index];
          keyTarget.classList.add("drop-target");
          announce(keyTarget.getAttribute("aria-label") + " — " + board.getAttribute("data-enter-text"));
        }
      } else if (event.key === "Enter" && keyTarget) {
        event.preventDefault();
        var target = keyTarget;
        clearKeyTarget();
        move(card, target);
      } else if (event.key === "Escape" && keyTarget) {
        clearKeyTarget();
        announce(board.getAttribute("data-cancel-text"));
      }
    });
    board.addEventListener("focusout", function (event) {
      if (keyTarget && event.target.classList && event.target.classList.contains("deal-card")) { clearKeyTarget(); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
