// The patient page: when a new answer arrives, show it from its start (not scrolled to its end, where the
// sources and the glossary are). Loaded as a file from this server: the page's Content-Security-Policy
// allows no inline or evaluated script.
(function () {
  "use strict";
  var seen = 0;
  function answers(chat) {
    return chat.querySelectorAll(".bot-row, .message-row.bot, .message.bot");
  }
  function follow(chat) {
    new MutationObserver(function () {
      var found = answers(chat);
      if (found.length > seen) {
        found[found.length - 1].scrollIntoView({ block: "start" });
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
