// Ages are counted when the page is viewed, so the page itself holds no "now" and stays the same
// for the same state repo. Only <time datetime> attributes are read: no data is evaluated.
(function () {
  'use strict';
  var now = Date.now();
  var units = [['d', 86400000], ['h', 3600000], ['m', 60000]];
  function age(ms) {
    var future = ms < 0;
    ms = Math.abs(ms);
    for (var i = 0; i < units.length; i++) {
      if (ms >= units[i][1] || i === units.length - 1) {
        var n = Math.floor(ms / units[i][1]);
        return future ? 'in ' + n + units[i][0] : n + units[i][0] + ' ago';
      }
    }
    return '';
  }
  var times = document.querySelectorAll('time[datetime]');
  for (var i = 0; i < times.length; i++) {
    var t = Date.parse(times[i].getAttribute('datetime'));
    if (isNaN(t)) continue;
    var span = document.createElement('span');
    span.className = 'age';
    span.textContent = ' (' + age(now - t) + ')';
    times[i].parentNode.insertBefore(span, times[i].nextSibling);
  }
  document.documentElement.setAttribute('data-ages', String(times.length));
})();
