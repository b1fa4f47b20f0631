"use strict";
module.exports = { VERSION: require("../package.json").version };
