/* The trajectory form, live: when the profile, the intensity or the planned start changes, the
   tariff line and the lists of contracted providers are asked from the server (gids.tariff_preview,
   the same reckoning as the form's "Tarief en aanbieders tonen" button) and shown at once. On an
   edit, the question whether the planned end moves along shows only once the start has moved.
   On a new trajectory the need type follows the chosen profile's default as long as the gids
   has not chosen one (the hidden need_type_preset holds the preselected need type; a choice of
   the gids empties it), the same rule as the button's.
   Without this script the page works as before: the button and saving recompute on the server. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-tariff-url]");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var profile = form.querySelector("#profile_id");
  var intensity = form.querySelector("#intensity");
  var start = form.querySelector("#planned_start");
  var end = form.querySelector("#planned_end");
  var provider = form.querySelector("#provider_id");
  var subcontractor = form.querySelector("#subcontractor_id");
  var box = form.querySelector("#tariff-preview");
  var needTypes = form.querySelectorAll('input[name="need_type"]');
  var preset = form.querySelector('input[name="need_type_preset"]');
  var endShift = document.getElementById("end-shift");
  /* One question at a time: a change while one is on its way asks again when it is answered,
     with the values as they are then. */
  var busy = false;
  var again = false;

  function show(text) {
    var line = document.createElement("p");
    line.textContent = text;
    box.replaceChildren(line);
  }

  /* Replace the options after the empty first one, keeping the chosen provider if it is listed. */
  function fill(select, items, emptyLabel) {
    if (!select) {
      return;
    }
    var chosen = select.value;
    var empty = document.createElement("option");
    empty.value = "";
    empty.textContent = emptyLabel;
    var options = [empty];
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = String(item.id);
      option.textContent = item.naam;
      option.selected = option.value === chosen;
      options.push(option);
    });
    select.replaceChildren.apply(select, options);
  }

  function chosenNeedType() {
    for (var i = 0; i < needTypes.length; i += 1) {
      if (needTypes[i].checked) {
        return needTypes[i].value;
      }
    }
    return "";
  }

  /* The profile's default need type, unless the gids chose one (or this is an edit). A change
     is said in the status line, so that a screen reader hears it too. */
  function followNeedType(value) {
    if (!preset || !preset.value || !value || chosenNeedType() !== preset.value) {
      return;
    }
    var changed = value !== preset.value;
    for (var i = 0; i < needTypes.length; i += 1) {
      needTypes[i].checked = needTypes[i].value === value;
      var label = form.querySelector('label[for="' + needTypes[i].id + '"]');
      if (changed && needTypes[i].checked && label && form.dataset.needTypeNote) {
        var note = document.createElement("p");
        note.textContent = form.dataset.needTypeNote + " " + label.textContent + ".";
        box.appendChild(note);
      }
    }
    preset.value = value;
  }

  function update() {
    if (!profile.value || !start.value) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    var query = new URLSearchParams({
      profiel: profile.value,
      intensiteit: intensity.value,
      start: start.value,
      inwoner: form.dataset.resident
    });
    fetch(form.dataset.tariffUrl + "?" + query.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (answer) {
        if (again) {
          return; /* the values changed since: the next answer shows them */
        }
        if (!answer.ok) {
          show(answer.body.fout);
          return;
        }
        var found = answer.body;
        show(found.tarief ? found.tarief.tekst : found.melding);
        fill(provider, found.aanbieders, form.dataset.chooseProvider);
        fill(subcontractor, found.onderaannemers, form.dataset.noSubcontractor);
        followNeedType(found.behoefte);
      })
      .catch(function () {
        /* No answer: the button and saving still recompute on the server. */
      })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          update();
        }
      });
  }

  function toggleEndShift() {
    if (!endShift || !form.dataset.originalStart) {
      return;
    }
    var moved = start.value !== form.dataset.originalStart;
    var endKept = !end || end.value === form.dataset.originalEnd;
    var hasError = endShift.querySelector(".has-error") !== null;
    endShift.hidden = !(moved && endKept) && !hasError;
  }

  [profile, intensity, start].forEach(function (field) {
    if (field) {
      field.addEventListener("change", update);
    }
  });
  for (var i = 0; i < needTypes.length; i += 1) {
    needTypes[i].addEventListener("change", function () {
      if (preset) {
        preset.value = "";
      }
    });
  }
  if (start) {
    start.addEventListener("change", toggleEndShift);
    start.addEventListener("input", toggleEndShift);
  }
  if (end) {
    end.addEventListener("change", toggleEndShift);
    end.addEventListener("input", toggleEndShift);
  }
  toggleEndShift();
})();
