// The patient page: when a new answer arrives, show it from its start (not scrolled to its end, where the
// sources and the glossary are). Loaded as a file from this server: the page's Content-Security-Policy
// allows no inline or evaluated script.
(function () {
  "use strict";
  var seen = 0;
  function answers(chat) {
    return chat.querySelectorAll(".message-row.bot-row, .message.bot");
  }
  function scroller(node, chat) {
    // the chat's own scrolling box: the nearest parent that scrolls
    for (var el = node.parentElement; el && el !== chat.parentElement; el = el.parentElement) {
      var style = getComputedStyle(el);
      if (/(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight) return el;
    }
    return null;
  }
  function show(answer, chat) {
    var box = scroller(answer, chat);
    if (box) {
      box.scrollTop += answer.getBoundingClientRect().top - box.getBoundingClientRect().top - 36; // below the chat's label
    }
    var frame = chat.getBoundingClientRect();
    if (frame.top < 0 || frame.bottom > window.innerHeight) {
      chat.scrollIntoView({ block: "start" }); // a phone: the chat fills the screen, the answer at its top
    }
  }
  function follow(chat) {
    new MutationObserver(function () {
      var found = answers(chat);
      if (found.length > seen) {
        // again after the chat's own updates: it redraws the reply (new elements) while it is typed in
        [0, 200, 600, 1500].forEach(function (ms) {
          setTimeout(function () {
            var now = answers(chat);
            if (now.length) show(now[now.length - 1], chat);
          }, ms);
        });
      }
      seen = found.length;
    }).observe(chat, { childList: true, subtree: true });
  }
  var wait = setInterval(function () {
    var chat = document.getElementById("chat");
    if (chat) {
      clearInterval(wait);
      follow(chat);
    }
  }, 200);
})();
